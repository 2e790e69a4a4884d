from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleFallback, consecutive_fallbacks
from testkit.trackers import EMPTY_DOMAIN, bot_event, make_tracker, user_event


def test_counts_only_the_latest_run_of_failures() -> None:
    events = [
        user_event(intent="nlu_fallback"),
        bot_event(),
        user_event(intent="greet"),
        bot_event(),
    ]
    events += [user_event(intent="nlu_fallback"), bot_event()]
    assert consecutive_fallbacks(make_tracker(events)) == 1
    events += [user_event(intent="nlu_fallback")]
    assert consecutive_fallbacks(make_tracker(events)) == 2
    assert consecutive_fallbacks(make_tracker([user_event(intent="greet")])) == 0


async def test_first_failure_asks_to_rephrase_second_offers_a_person() -> None:
    action = ActionHandleFallback()
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, make_tracker([user_event(intent="nlu_fallback")]), EMPTY_DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_ask_rephrase"

    twice = [user_event(intent="nlu_fallback"), bot_event(), user_event(intent="nlu_fallback")]
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, make_tracker(twice), EMPTY_DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_offer_human"
