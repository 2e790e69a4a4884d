"""参观预约的表单: ``eldercare_visit_form`` reads the facility, date, half-day, name and phone.

Confirming and booking are in ``visit_booking``; cancelling in ``visit_cancel``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError, BackofficeRejectedError
from actions.clients.eldercare import Availability, HalfDay
from actions.eldercare import records, wording
from actions.eldercare.facility_details import chosen_facility
from actions.eldercare.turn import DIGRESSIONS, intent_name, message_text
from actions.eldercare.understanding import entity_value
from actions.form_answers import read_phone
from zhtext.city_time import city_today
from zhtext.dates import parse_date, parse_half_day
from zhtext.names import is_written_as_name, parse_person_name
from zhtext.phone import parse_phone

FACILITY, FACILITY_NAME = "eldercare_visit_facility", "eldercare_visit_facility_name"
DATE, HALF_DAY = "eldercare_visit_date", "eldercare_visit_half_day"
NAME, PHONE = "eldercare_visitor_name", "eldercare_visitor_phone"
REFERENCE = "eldercare_visit_reference"
VISIT_WINDOW_DAYS = 30
HALF_DAYS: tuple[HalfDay, ...] = ("am", "pm")
PHONE_PROBLEM_RESPONSES = {
    "empty": "utter_eldercare_visitor_phone_empty",
    "format": "utter_eldercare_visitor_phone_format",
    "length": "utter_eldercare_visitor_phone_length",
    "service_number": "utter_eldercare_visitor_phone_service_number",
}


def half_day_of(value: Any) -> HalfDay | None:
    """A half-day slot value ("am" / "pm"), or None."""
    return next((h for h in HALF_DAYS if h == value), None)


def date_of(value: Any) -> dt.date | None:
    """A date slot value (ISO), or None."""
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def answering(tracker: Tracker) -> bool:
    """Whether the latest message may answer the form (not a digression it leaves to rules)."""
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
        if not answering(tracker):
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
        if not answering(tracker):
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
        if not answering(tracker):
            return {}
        chosen = half_day_of(entity_value(tracker.latest_message, "eldercare_half_day"))
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
        if not answering(tracker) or tracker.get_slot("requested_slot") != NAME:
            return {}
        name = parse_person_name(message_text(tracker))
        if name is None:
            dispatcher.utter_message(response="utter_eldercare_visitor_name_invalid")
            return {NAME: None}
        return {NAME: name}

    async def extract_eldercare_visitor_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A mobile or fixed-line number (also when given together with the name)."""
        if not answering(tracker):
            return {}
        text = message_text(tracker)
        parsed = parse_phone(text) if text else None
        if parsed is not None and parsed.number is not None:
            return {PHONE: parsed.number}
        if tracker.get_slot("requested_slot") == PHONE:
            default = PHONE_PROBLEM_RESPONSES["format"]
            return {PHONE: read_phone(dispatcher, text, PHONE_PROBLEM_RESPONSES, default)}
        return {}

    async def validate_eldercare_visit_facility(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The facility must exist and take visits."""
        if not value:
            return {FACILITY: None}
        try:
            facility = await records.api().facility(str(value))
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
        day = date_of(value)
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
        half = half_day_of(tracker.get_slot(HALF_DAY))
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
        half = half_day_of(value)
        day = date_of(tracker.get_slot(DATE))
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
        """A value written as a name (zhtext.names)."""
        return {NAME: value if isinstance(value, str) and is_written_as_name(value) else None}

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
        return await records.api().availability(str(code), day)
    except BackofficeError:
        dispatcher.utter_message(response="utter_records_unavailable")
        return None
