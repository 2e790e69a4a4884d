"""参观预约: ``eldercare_visit_form`` (date, half-day, name, phone), confirm, book, cancel.

Cancelling is two steps: ``eldercare_cancel_form`` (reference and phone) and
``action_confirm_visit_cancellation`` read the visit back and ask "确定要取消……吗？"; only
确定取消 runs ``action_cancel_facility_visit``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable
from typing import Any

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import (
    TOO_MANY_ATTEMPTS,
    BackofficeError,
    BackofficeRejectedError,
)
from actions.clients.eldercare import (
    Availability,
    EldercareApi,
    HalfDay,
    Visit,
    get_eldercare_api,
)
from actions.eldercare import wording
from actions.eldercare.results import chosen_facility
from actions.eldercare.turn import DIGRESSIONS, intent_name, message_text
from actions.eldercare.understanding import entity_value, find_reference
from zhtext.city_time import city_today
from zhtext.dates import parse_date, parse_half_day
from zhtext.idcard import mask_name, mask_phone
from zhtext.phone import parse_phone

FACILITY, FACILITY_NAME = "eldercare_visit_facility", "eldercare_visit_facility_name"
DATE, HALF_DAY = "eldercare_visit_date", "eldercare_visit_half_day"
NAME, PHONE = "eldercare_visitor_name", "eldercare_visitor_phone"
REFERENCE = "eldercare_visit_reference"
CANCEL_REFERENCE, CANCEL_PHONE = "eldercare_cancel_reference", "eldercare_cancel_phone"
VISIT_WINDOW_DAYS = 30
HALF_DAYS: tuple[HalfDay, ...] = ("am", "pm")
_NAME_PREFIX = re.compile(r"^(?:我叫|我是|我姓名是|姓名是?|名字是?|叫|参观人是?)[:：\s]*")
_NAME_NOISE = re.compile(r"[\s,，。.!！、:：]+|手机号?码?|电话号?码?|联系方式|号码")
PHONE_PROBLEM_RESPONSES = {
    "empty": "utter_eldercare_visitor_phone_empty",
    "format": "utter_eldercare_visitor_phone_format",
    "length": "utter_eldercare_visitor_phone_length",
    "service_number": "utter_eldercare_visitor_phone_service_number",
}
_NAME_OK = re.compile(r"[\u4e00-\u9fa5·A-Za-z]{2,20}")


def api() -> EldercareApi:
    """The back-office API (a function, so tests can swap it)."""
    return get_eldercare_api()


def _half_day(value: Any) -> HalfDay | None:
    return next((h for h in HALF_DAYS if h == value), None)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def visitor_name(text: str) -> str | None:
    """The visitor's name from an answer ("我叫张丽" → "张丽"), without a phone number in it."""
    cleaned = re.sub(r"\+?\d[\d\s-]{6,}", " ", text).strip()
    cleaned = _NAME_NOISE.sub("", _NAME_PREFIX.sub("", cleaned))
    return cleaned if _NAME_OK.fullmatch(cleaned) else None


def _answering(tracker: Tracker) -> bool:
    return intent_name(tracker) not in DIGRESSIONS


class ValidateEldercareVisitForm(FormValidationAction):
    """Facility (from the card's button), date and half-day with free places, name, phone."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_eldercare_visit_form"

    async def extract_eldercare_visit_facility(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The facility of the pressed button (or "第二家"); a new booking asks the time again."""
        if not _answering(tracker):
            return {}
        code = chosen_facility(tracker)
        requested = tracker.get_slot("requested_slot")
        if requested is None and intent_name(tracker) == "request_facility_visit":
            # Name and phone are kept for a second booking; the time is asked again.
            return {FACILITY: code or tracker.get_slot(FACILITY), DATE: None, HALF_DAY: None}
        if code is not None and code != tracker.get_slot(FACILITY):
            return {FACILITY: code, DATE: None, HALF_DAY: None}
        if code is None and requested == FACILITY:
            dispatcher.utter_message(response="utter_eldercare_which_facility")
            return {FACILITY: None}
        return {}

    async def extract_eldercare_visit_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A day ("明天", "下周六下午", "12月3号"), with its half-day when said."""
        if not _answering(tracker):
            return {}
        text = message_text(tracker)
        parsed = parse_date(text, today=city_today()) if text else None
        if parsed is None:
            if tracker.get_slot("requested_slot") == DATE:
                dispatcher.utter_message(response="utter_eldercare_visit_date_not_understood")
                return {DATE: None}
            return {}
        values: dict[str, Any] = {DATE: parsed.date.isoformat()}
        if parsed.half_day is not None:
            values[HALF_DAY] = parsed.half_day
        return values

    async def extract_eldercare_visit_half_day(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """上午 / 下午, typed or pressed."""
        if not _answering(tracker):
            return {}
        chosen = _half_day(entity_value(tracker.latest_message, "eldercare_half_day"))
        text = message_text(tracker)
        half = chosen or (parse_half_day(text) if text else None)
        if half is not None:
            return {HALF_DAY: half}
        if tracker.get_slot("requested_slot") == HALF_DAY:
            dispatcher.utter_message(response="utter_eldercare_visit_half_day_not_understood")
            return {HALF_DAY: None}
        return {}

    async def extract_eldercare_visitor_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The visitor's name (only when asked: any text could look like a name)."""
        if not _answering(tracker) or tracker.get_slot("requested_slot") != NAME:
            return {}
        name = visitor_name(message_text(tracker))
        if name is None:
            dispatcher.utter_message(response="utter_eldercare_visitor_name_invalid")
            return {NAME: None}
        return {NAME: name}

    async def extract_eldercare_visitor_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A mobile or fixed-line number (also when given together with the name)."""
        if not _answering(tracker):
            return {}
        text = message_text(tracker)
        parsed = parse_phone(text) if text else None
        if parsed is not None and parsed.number is not None:
            return {PHONE: parsed.number}
        if tracker.get_slot("requested_slot") == PHONE:
            reason = parsed.reason if parsed is not None else "empty"
            dispatcher.utter_message(response=PHONE_PROBLEM_RESPONSES[reason or "format"])
            return {PHONE: None}
        return {}

    async def validate_eldercare_visit_facility(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The facility must exist and take visits."""
        if not value:
            return {FACILITY: None}
        try:
            facility = await api().facility(str(value))
        except BackofficeRejectedError:
            dispatcher.utter_message(response="utter_eldercare_facility_unknown")
            return {FACILITY: None, FACILITY_NAME: None}
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return {FACILITY: None}
        if not facility.accepts_visits:
            dispatcher.utter_message(
                response="utter_eldercare_visits_not_offered",
                name=facility.name,
                phone=facility.phone,
            )
            return {FACILITY: None, FACILITY_NAME: None}
        return {FACILITY: facility.code, FACILITY_NAME: facility.name}

    async def validate_eldercare_visit_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Tomorrow to 30 days ahead, with a free place on that day (and half-day if said)."""
        day = _date(value)
        if day is None:
            return {DATE: None}
        now = city_today()
        if not now < day <= now + dt.timedelta(days=VISIT_WINDOW_DAYS):
            dispatcher.utter_message(
                response="utter_eldercare_visit_date_out_of_window", days=VISIT_WINDOW_DAYS
            )
            return {DATE: None, HALF_DAY: None}
        availability = await _availability(dispatcher, tracker, day)
        if availability is None:
            return {DATE: None}
        if availability.am <= 0 and availability.pm <= 0:
            dispatcher.utter_message(
                response="utter_eldercare_visit_day_full", date=wording.date_label(day)
            )
            return {DATE: None, HALF_DAY: None}
        half = _half_day(tracker.get_slot(HALF_DAY))
        values: dict[str, Any] = {DATE: day.isoformat()}
        # A half-day said in this message is checked by its own validator; an earlier one here.
        checked_later = HALF_DAY in tracker.slots_to_validate()
        if half is not None and not checked_later and availability.free(half) <= 0:
            dispatcher.utter_message(
                response="utter_eldercare_visit_half_day_full",
                date=wording.date_label(day),
                half_day=wording.half_day_label(half),
            )
            values[HALF_DAY] = None
        return values

    async def validate_eldercare_visit_half_day(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The half-day must still have a free place on the chosen day."""
        half = _half_day(value)
        day = _date(tracker.get_slot(DATE))
        if half is None:
            return {HALF_DAY: None}
        if day is None:
            return {HALF_DAY: half}
        availability = await _availability(dispatcher, tracker, day)
        if availability is None:
            return {HALF_DAY: None}
        if availability.free(half) <= 0:
            dispatcher.utter_message(
                response="utter_eldercare_visit_half_day_full",
                date=wording.date_label(day),
                half_day=wording.half_day_label(half),
            )
            return {HALF_DAY: None}
        return {HALF_DAY: half}

    async def validate_eldercare_visitor_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A name of 2–20 letters."""
        return {NAME: value if isinstance(value, str) and _NAME_OK.fullmatch(value) else None}

    async def validate_eldercare_visitor_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A valid phone number."""
        parsed = parse_phone(str(value or ""))
        return {PHONE: parsed.number}


async def _availability(
    dispatcher: CollectingDispatcher, tracker: Tracker, day: dt.date
) -> Availability | None:
    code = tracker.get_slot(FACILITY)
    if not code:
        return Availability(facility_code="", visit_date=day, am=1, pm=1, bookable=True)
    try:
        return await api().availability(str(code), day)
    except BackofficeError:
        dispatcher.utter_message(response="utter_records_unavailable")
        return None


def _visit_when(tracker: Tracker) -> str:
    day = _date(tracker.get_slot(DATE))
    half = _half_day(tracker.get_slot(HALF_DAY))
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
        day = _date(tracker.get_slot(DATE))
        half = _half_day(tracker.get_slot(HALF_DAY))
        code, name, phone = (tracker.get_slot(s) for s in (FACILITY, NAME, PHONE))
        if day is None or half is None or not code or not name or not phone:
            dispatcher.utter_message(response="utter_eldercare_visit_incomplete")
            return [FollowupAction("eldercare_visit_form")]
        when = _visit_when(tracker)
        try:
            visit = await api().book_visit(
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


class ValidateEldercareCancelForm(FormValidationAction):
    """The reference (the one booked in this conversation by default) and the phone."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_eldercare_cancel_form"

    async def extract_eldercare_cancel_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A YL-… reference typed, else the one booked in this conversation."""
        if not _answering(tracker) and intent_name(tracker) != "cancel_facility_visit":
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
        if not _answering(tracker) and intent_name(tracker) != "cancel_facility_visit":
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


async def _ask_for_visit(
    dispatcher: CollectingDispatcher, reference: str, request: Awaitable[Visit]
) -> Visit | None:
    """The visit the back office answers with, or None after telling the citizen why not."""
    try:
        return await request
    except BackofficeRejectedError as error:
        if error.status_code == TOO_MANY_ATTEMPTS and error.detail:
            dispatcher.utter_message(text=error.detail)  # the back office's Chinese message
        else:
            dispatcher.utter_message(
                response="utter_eldercare_visit_not_found", reference=reference
            )
    except BackofficeError:
        dispatcher.utter_message(response="utter_records_unavailable")
    return None


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
        visit = await _ask_for_visit(
            dispatcher,
            reference,
            api().lookup_visit(reference=reference, phone=phone),
        )
        if visit is None:
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
        visit = await _ask_for_visit(
            dispatcher,
            reference,
            api().cancel_visit(reference=reference, phone=phone),
        )
        if visit is None:
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
