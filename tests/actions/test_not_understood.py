from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.not_understood import failures_in_a_row, handle_not_understood
from testkit.trackers import bot_event, make_tracker, user_event


def failed_reply(response: str = "utter_ask_rephrase") -> dict[str, Any]:
    return {**bot_event("..."), "metadata": {"utter_action": response}}


def test_counts_the_current_turn_and_the_failed_turns_right_before_it() -> None:
    assert failures_in_a_row(make_tracker([user_event("x")])) == 1
    events = [user_event("a"), failed_reply(), user_event("b")]
    assert failures_in_a_row(make_tracker(events)) == 2
    events = [user_event("a"), failed_reply(), user_event("hi"), bot_event("您好"), user_event("c")]
    assert failures_in_a_row(make_tracker(events)) == 1
    events = [user_event("a"), failed_reply(), user_event("b"), failed_reply("utter_offer_human")]
    assert failures_in_a_row(make_tracker([*events, user_event("c")])) == 3


def test_first_failure_asks_to_rephrase_second_offers_a_person() -> None:
    dispatcher = CollectingDispatcher()
    handle_not_understood(dispatcher, make_tracker([user_event("x")]))
    assert dispatcher.messages[0]["response"] == "utter_ask_rephrase"

    dispatcher = CollectingDispatcher()
    handle_not_understood(
        dispatcher, make_tracker([user_event("x"), failed_reply(), user_event("y")])
    )
    assert dispatcher.messages[0]["response"] == "utter_offer_human"
