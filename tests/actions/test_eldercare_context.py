"""A search condition outside the form: search again after a search, else ask back."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.eldercare.context import ActionCheckEldercareContext
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event


def marked(text: str) -> dict[str, object]:
    event = user_event(text, "inform_eldercare")
    event["parse_data"]["entities"] = [
        {"entity": "service_candidate", "value": "request_eldercare"}
    ]
    return event


async def test_a_bare_condition_in_a_new_conversation_is_asked_back() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionCheckEldercareContext().run(
        dispatcher, make_tracker([marked("萧山区的")]), EMPTY_DOMAIN
    )
    assert dispatcher.messages[0]["response"] == "utter_confirm_request_eldercare"
    assert events == [{"event": "followup", "name": "action_listen", "timestamp": None}]


async def test_after_a_search_the_condition_searches_again() -> None:
    earlier = {"event": "action", "name": "action_search_facilities"}
    dispatcher = CollectingDispatcher()
    events = await ActionCheckEldercareContext().run(
        dispatcher, make_tracker([earlier, marked("萧山区的")]), EMPTY_DOMAIN
    )
    assert events == [] and dispatcher.messages == []


async def test_a_condition_with_a_place_asked_for_goes_to_the_form() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionCheckEldercareContext().run(
        dispatcher, make_tracker([user_event("西湖区找个养老院", "inform_eldercare")]), EMPTY_DOMAIN
    )
    assert events == []
