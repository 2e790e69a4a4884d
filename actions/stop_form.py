"""Stopping a form that holds answers asks first ("确定不办了吗？填写的内容不会保存").

The forms' stop rules deactivate the form and run ``action_ask_stop``. With nothing answered yet
the form simply stops; otherwise the citizen confirms (确定不办了 → ``action_stop_confirmed``: the
answers are cleared) or goes on (接着办 → ``action_resume_after_stop``: the form asks its
question again, with every answer kept). Rules: bot/data/rules/stopping.yml.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.side_questions import resume_form

STOPPING_FORM = "stopping_form"
ASK = "utter_ask_stop_form"
# The forms that ask before stopping, and what each says once stopped.
STOPPED = {
    "marriage_form": "utter_marriage_booking_stopped",
    "donation_form": "utter_donation_stopped",
    "prescreen_form": "utter_prescreen_stopped",
    "eldercare_visit_form": "utter_eldercare_visit_stopped",
}


def last_form(tracker: Tracker) -> str | None:
    """The form that was active last (the stop rule has just deactivated it)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"])
    return None


def form_slots(domain: DomainDict, form: str) -> list[str]:
    """The slots the form asks for (its answers)."""
    spec = (domain.get("forms") or {}).get(form) or {}
    return [str(slot) for slot in spec.get("required_slots") or []]


def stopping(tracker: Tracker) -> str | None:
    """The form whose stop is being confirmed, if it is one that asks."""
    form = str(tracker.get_slot(STOPPING_FORM) or "")
    return form if form in STOPPED else None


def nothing_to_stop(dispatcher: CollectingDispatcher, response: str) -> list[dict[str, Any]]:
    """No form that asks before stopping: a plain answer, and nothing pending."""
    dispatcher.utter_message(response=response)
    return [SlotSet(STOPPING_FORM, None)]


def stop(dispatcher: CollectingDispatcher, domain: DomainDict, form: str) -> list[dict[str, Any]]:
    """Say the form stopped and forget its answers."""
    dispatcher.utter_message(response=STOPPED[form])
    cleared = [SlotSet(slot, None) for slot in form_slots(domain, form)]
    return [*cleared, SlotSet("requested_slot", None), SlotSet(STOPPING_FORM, None)]


class ActionAskStop(Action):
    """Stops a form without answers; asks first when answers would be lost."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_ask_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The question, or the stop itself."""
        form = last_form(tracker)
        if form not in STOPPED:
            return nothing_to_stop(dispatcher, "utter_stopped")
        if not any(tracker.get_slot(slot) is not None for slot in form_slots(domain, form)):
            return stop(dispatcher, domain, form)
        dispatcher.utter_message(response=ASK)
        return [SlotSet(STOPPING_FORM, form)]


class ActionStopConfirmed(Action):
    """确定不办了: the form's answers are forgotten."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_stop_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Say so and clear the answers."""
        form = stopping(tracker)
        if form is None:
            return nothing_to_stop(dispatcher, "utter_stopped")
        return stop(dispatcher, domain, form)


class ActionResumeAfterStop(Action):
    """接着办: the form goes on with every answer kept and asks its question again."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_resume_after_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The linking line, then the form."""
        form = stopping(tracker)
        if form is None:
            return nothing_to_stop(dispatcher, "utter_menu")
        resume_form(dispatcher, form)
        return [SlotSet(STOPPING_FORM, None), FollowupAction(form)]
