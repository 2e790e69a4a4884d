"""A confirmation pressed again after the record was made: say it is made, with its reference.

A citizen whose answer to "确认" was lost (a dropped connection, a closed page) presses it again.
The booking, visit or pledge exists already; "没太明白" would leave them guessing whether it
does, and a second record would be wrong. The rules in bot/data/rules/reminder.yml run this
action for an "affirm" right after a service's completing action (or after this reminder).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict


@dataclass(frozen=True)
class MadeRecord:
    """Where a service keeps the reference of what it just made, and how to remind of it."""

    reference_slot: str
    response: str


# The completing action of each service → its record (slots and responses in bot/domain/).
MADE_BY = {
    "action_complete_marriage_booking": MadeRecord(
        "marriage_reference", "utter_marriage_confirmed_again"
    ),
    "action_book_facility_visit": MadeRecord(
        "eldercare_visit_reference", "utter_eldercare_visit_confirmed_again"
    ),
    "action_submit_donation_pledge": MadeRecord(
        "donation_pledge_made", "utter_donation_pledge_confirmed_again"
    ),
}
NOTHING_MADE = "utter_menu"


def last_completing_action(tracker: Tracker) -> str | None:
    """The most recent completing action in the conversation, if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in MADE_BY:
            return str(event["name"])
    return None


class ActionRemindRecordMade(Action):
    """Names the record made a moment ago, or offers the services when nothing was made."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_remind_record_made"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the service's "already made" response with the reference."""
        completing = last_completing_action(tracker)
        record = MADE_BY.get(completing or "")
        reference = tracker.get_slot(record.reference_slot) if record else None
        if record is None or not reference:
            dispatcher.utter_message(response=NOTHING_MADE)
            return []
        dispatcher.utter_message(response=record.response, reference=str(reference))
        return []
