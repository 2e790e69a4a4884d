"""Stopping a form with answers asks first; without answers it stops at once."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.stop_form import ActionAskStop, ActionResumeAfterStop, ActionStopConfirmed
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event

DOMAIN: DomainDict = {
    **EMPTY_DOMAIN,
    "forms": {"marriage_form": {"required_slots": ["marriage_office", "marriage_party1_name"]}},
}
STOPPED_FORM = [
    {"event": "active_loop", "name": "marriage_form"},
    user_event("算了，我先问问家里人", "stop"),
    {"event": "active_loop", "name": None},
]


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_answers_given_ask_before_stopping() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(STOPPED_FORM, slots={"marriage_office": "xihu"})
    events = await ActionAskStop().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_stop_form"]
    assert slots_of(events) == {"stopping_form": "marriage_form"}  # nothing cleared yet


async def test_nothing_answered_stops_at_once() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAskStop().run(dispatcher, make_tracker(STOPPED_FORM), DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_marriage_booking_stopped"]
    assert slots_of(events)["marriage_office"] is None


async def test_confirmed_the_answers_are_forgotten() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        STOPPED_FORM, slots={"marriage_office": "xihu", "stopping_form": "marriage_form"}
    )
    events = await ActionStopConfirmed().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_marriage_booking_stopped"]
    assert slots_of(events)["marriage_office"] is None
    assert slots_of(events)["stopping_form"] is None


async def test_withdrawn_the_form_goes_on_with_its_answers() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        STOPPED_FORM, slots={"marriage_office": "xihu", "stopping_form": "marriage_form"}
    )
    events = await ActionResumeAfterStop().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_resume_marriage_form"]
    assert "marriage_office" not in slots_of(events)
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "marriage_form"
