"""取消参观预约, in two steps.

``eldercare_cancel_form`` (reference and phone) and ``action_confirm_visit_cancellation`` read
the visit back and ask "确定要取消……吗？"; only 确定取消 runs ``action_cancel_facility_visit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError, BackofficeRejectedError
from actions.clients.eldercare import Visit
from actions.eldercare import records, wording
from actions.eldercare.turn import intent_name, message_text
from actions.eldercare.understanding import find_reference
from actions.eldercare.visit_form import PHONE, REFERENCE, answering
from actions.lookup_refusals import ask_back_office, say_lookup_refused
from zhtext.phone import parse_phone

CANCEL_REFERENCE, CANCEL_PHONE = "eldercare_cancel_reference", "eldercare_cancel_phone"


class ValidateEldercareCancelForm(FormValidationAction):
    """The reference (the one booked in this conversation by default) and the phone."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_eldercare_cancel_form"

    async def extract_eldercare_cancel_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A YL-… reference typed, else the one booked in this conversation."""
        if not answering(tracker) and intent_name(tracker) != "cancel_facility_visit":
            return {}
        reference = find_reference(message_text(tracker))
        if reference is not None:
            return {CANCEL_REFERENCE: reference}
        requested = tracker.get_slot("requested_slot")
        if requested is None:
            # A new cancellation: the visit booked here, else ask (nothing left from before).
            return {CANCEL_REFERENCE: tracker.get_slot(REFERENCE) or None}
        if requested == CANCEL_REFERENCE:
            dispatcher.utter_message(response="utter_eldercare_cancel_reference_invalid")
            return {CANCEL_REFERENCE: None}
        return {}

    async def extract_eldercare_cancel_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The phone typed, else the one this conversation booked with (for its own visit)."""
        if not answering(tracker) and intent_name(tracker) != "cancel_facility_visit":
            return {}
        text = message_text(tracker)
        parsed = parse_phone(text) if text and not find_reference(text) else None
        if parsed is not None and parsed.number is not None:
            return {CANCEL_PHONE: parsed.number}
        requested = tracker.get_slot("requested_slot")
        reference = tracker.get_slot(CANCEL_REFERENCE)
        same_booking = reference is not None and reference == tracker.get_slot(REFERENCE)
        if requested is None:
            return {CANCEL_PHONE: tracker.get_slot(PHONE) if same_booking else None}
        if requested == CANCEL_PHONE:
            dispatcher.utter_message(response="utter_eldercare_visitor_phone_format")
            return {CANCEL_PHONE: None}
        return {}


def _forget_cancel_answers() -> list[dict[str, Any]]:
    """Clear what the cancel form collected (the next cancellation asks afresh)."""
    return [SlotSet(CANCEL_REFERENCE, None), SlotSet(CANCEL_PHONE, None)]


def _cancel_answers(tracker: Tracker) -> tuple[str, str]:
    """The reference and phone the cancel form collected."""
    return (
        str(tracker.get_slot(CANCEL_REFERENCE) or ""),
        str(tracker.get_slot(CANCEL_PHONE) or ""),
    )


def _visit_values(visit: Visit) -> dict[str, Any]:
    """The template values naming a visit: reference, facility and when."""
    when = f"{wording.date_label(visit.visit_date)} {wording.half_day_label(visit.half_day)}"
    return {"reference": visit.reference, "facility": visit.facility_name, "when": when}


def _visit_not_found(
    dispatcher: CollectingDispatcher, reference: str
) -> Callable[[BackofficeRejectedError], None]:
    """How a refused look-up of the visit `reference` is told."""
    return lambda error: say_lookup_refused(
        dispatcher, error, "utter_eldercare_visit_not_found", reference=reference
    )


class ActionConfirmVisitCancellation(Action):
    """Finds the visit of the cancel form and asks "确定要取消……的参观预约吗？"."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_confirm_visit_cancellation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Read the visit back with 确定取消 / 不取消 buttons (or say why it cannot be)."""
        reference, phone = _cancel_answers(tracker)
        visit = await ask_back_office(
            dispatcher,
            records.api().lookup_visit(reference=reference, phone=phone),
            _visit_not_found(dispatcher, reference),
        )
        if isinstance(visit, BackofficeError):
            return _forget_cancel_answers()
        if visit.status != "booked":
            dispatcher.utter_message(
                response="utter_eldercare_visit_already_cancelled", **_visit_values(visit)
            )
            return _forget_cancel_answers()
        dispatcher.utter_message(response="utter_eldercare_cancel_confirm", **_visit_values(visit))
        return []


class ActionCancelFacilityVisit(Action):
    """Cancels the visit named in the cancel form, once the citizen has confirmed."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_cancel_facility_visit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Cancel in the back office and confirm (or say it was not found)."""
        reference, phone = _cancel_answers(tracker)
        if not reference or not phone:
            dispatcher.utter_message(response="utter_eldercare_cancel_nothing_chosen")
            return _forget_cancel_answers()
        visit = await ask_back_office(
            dispatcher,
            records.api().cancel_visit(reference=reference, phone=phone),
            _visit_not_found(dispatcher, reference),
        )
        if isinstance(visit, BackofficeError):
            return _forget_cancel_answers()
        dispatcher.utter_message(response="utter_eldercare_visit_cancelled", **_visit_values(visit))
        forget = [SlotSet(REFERENCE, None)] if tracker.get_slot(REFERENCE) == reference else []
        return _forget_cancel_answers() + forget


class ActionKeepFacilityVisit(Action):
    """不取消: the visit stays booked; the cancel form's answers are forgotten."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_keep_facility_visit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Say the visit is kept."""
        dispatcher.utter_message(
            response="utter_eldercare_visit_not_cancelled", reference=_cancel_answers(tracker)[0]
        )
        return _forget_cancel_answers()
