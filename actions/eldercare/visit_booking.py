"""参观预约: reading the visit back (确认 / 取消) and booking it in the back office."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError, BackofficeRejectedError
from actions.eldercare import records, wording
from actions.eldercare.visit_form import (
    DATE,
    FACILITY,
    FACILITY_NAME,
    HALF_DAY,
    NAME,
    PHONE,
    REFERENCE,
    date_of,
    half_day_of,
)
from zhtext.idcard import mask_name, mask_phone


def _visit_when(tracker: Tracker) -> str:
    day = date_of(tracker.get_slot(DATE))
    half = half_day_of(tracker.get_slot(HALF_DAY))
    if day is None or half is None:
        return ""
    return f"{wording.date_label(day)} {wording.half_day_label(half)}"


class ActionConfirmFacilityVisit(Action):
    """Reads the visit back and asks for confirmation."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_confirm_facility_visit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the summary with 确认 / 取消 buttons."""
        dispatcher.utter_message(
            response="utter_eldercare_visit_confirm",
            facility=tracker.get_slot(FACILITY_NAME) or "",
            when=_visit_when(tracker),
            visitor=mask_name(str(tracker.get_slot(NAME) or "")),
            phone=mask_phone(str(tracker.get_slot(PHONE) or "")),
        )
        return []


class ActionBookFacilityVisit(Action):
    """Books the confirmed visit in the back office and gives the reference number."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_book_facility_visit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Book; when the half-day filled up meanwhile, ask for another time."""
        day = date_of(tracker.get_slot(DATE))
        half = half_day_of(tracker.get_slot(HALF_DAY))
        code, name, phone = (tracker.get_slot(s) for s in (FACILITY, NAME, PHONE))
        if day is None or half is None or not code or not name or not phone:
            dispatcher.utter_message(response="utter_eldercare_visit_incomplete")
            return [FollowupAction("eldercare_visit_form")]
        when = _visit_when(tracker)
        try:
            visit = await records.api().book_visit(
                facility_code=str(code),
                visit_date=day,
                half_day=half,
                visitor_name=str(name),
                phone=str(phone),
                conversation_id=tracker.sender_id,
            )
        except BackofficeRejectedError as error:
            if error.code in {"slot_full", "date_out_of_window", "busy"}:
                dispatcher.utter_message(response="utter_eldercare_visit_slot_taken", when=when)
                return [
                    SlotSet(DATE, None),
                    SlotSet(HALF_DAY, None),
                    FollowupAction("eldercare_visit_form"),
                ]
            dispatcher.utter_message(response="utter_eldercare_visit_failed")
            return []
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return []
        dispatcher.utter_message(
            # The same phone, place and half-day again: the existing booking, not a new one.
            response="utter_eldercare_visit_booked"
            if visit.created
            else "utter_eldercare_visit_already_booked",
            reference=visit.reference,
            facility=visit.facility_name,
            when=when,
            address=visit.facility_address,
            phone=visit.facility_phone,
        )
        return [
            SlotSet(REFERENCE, visit.reference),
            SlotSet(FACILITY, None),
            SlotSet(FACILITY_NAME, None),
            SlotSet(DATE, None),
            SlotSet(HALF_DAY, None),
        ]
