"""Slot names and small helpers shared by the marriage booking actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk.interfaces import Tracker

from actions.clients.marriage import Availability, HalfDayPlace
from actions.marriage.parsing import format_day, half_day_label, has_question_marker

BUSINESS_TYPE = "marriage_business_type"
OFFICE = "marriage_office"
DATE = "marriage_date"
HALF_DAY = "marriage_half_day"
PARTY1_NAME = "marriage_party1_name"
PARTY1_ID = "marriage_party1_id"
PARTY2_NAME = "marriage_party2_name"
PARTY2_ID = "marriage_party2_id"
PHONE = "marriage_phone"
CONFIRMED = "marriage_confirmed"
FORM_SLOTS = (
    BUSINESS_TYPE,
    OFFICE,
    DATE,
    HALF_DAY,
    PARTY1_NAME,
    PARTY1_ID,
    PARTY2_NAME,
    PARTY2_ID,
    PHONE,
    CONFIRMED,
)
PARTY1_ID_KIND = "marriage_party1_id_kind"
PARTY2_ID_KIND = "marriage_party2_id_kind"
SUGGESTIONS = "marriage_suggestions"
REFERENCE = "marriage_reference"
CHOOSING_FIELD = "marriage_choosing_field"
HELPER_SLOTS = (PARTY1_ID_KIND, PARTY2_ID_KIND, SUGGESTIONS, REFERENCE, CHOOSING_FIELD)

# Intents that leave the form to a rule (digression, 转人工, stop) when the answer says nothing
# the form can use.
INTERRUPTING_INTENTS = frozenset(
    {"request_human", "stop", "restart", "ask_policy_question", "request_menu"}
)
INTERRUPTION_CONFIDENCE = 0.5
# How many days (or half-days) are offered as buttons when asking for the day.
DAYS_OFFERED = 4
# A message the NLU could not place (or took for out of scope) that reads like a question
# ("可以周末去吗？") is a side question for the knowledge base, not a bad answer.
UNPLACED_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})


def has_fresh_user_message(tracker: Tracker, own_actions: frozenset[str]) -> bool:
    """True when the latest user message has not been handled by another action yet.

    After a digression (a rule answered the message, then the form resumed) the form must not
    read the same message again as an answer.
    """
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action" and event.get("name") not in own_actions:
            return False
    return False


def latest_intent(tracker: Tracker) -> tuple[str, float]:
    """Name and confidence of the latest message's intent."""
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def is_side_question(intent: str, text: str) -> bool:
    """An unclassified message that reads like a question."""
    return intent in UNPLACED_INTENTS and has_question_marker(text)


def latest_text(tracker: Tracker) -> str:
    """The latest user message."""
    return str(tracker.latest_message.get("text") or "")


def place_title(place: HalfDayPlace, *, today: dt.date, with_office: bool) -> str:
    """A half-day as a button title that also parses as an answer ("12月3日（周四）下午")."""
    when = f"{format_day(place.day, today=today)}{half_day_label(place.half_day)}"
    return f"{place.office_name} {when}" if with_office else when


def suggestion_buttons(found: Availability, *, today: dt.date) -> list[dict[str, Any]]:
    """Buttons for the nearest free half-days at the same office, then at other offices."""
    titles = [place_title(p, today=today, with_office=False) for p in found.same_office]
    titles += [place_title(p, today=today, with_office=True) for p in found.other_offices]
    return [{"title": title, "payload": title} for title in titles]


def parse_slot_date(value: Any) -> dt.date | None:
    """The date stored in a slot as "YYYY-MM-DD", or None."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


# Responses chosen by a reason code; spelled out so `scripts/validate_data.py` sees them used.
UNCLEAR_RESPONSES = {
    BUSINESS_TYPE: "utter_marriage_unclear_business_type",
    OFFICE: "utter_marriage_unclear_office",
    DATE: "utter_marriage_unclear_date",
    HALF_DAY: "utter_marriage_unclear_half_day",
    PARTY1_NAME: "utter_marriage_unclear_party1_name",
    PARTY1_ID: "utter_marriage_unclear_party1_id",
    PARTY2_NAME: "utter_marriage_unclear_party2_name",
    PARTY2_ID: "utter_marriage_unclear_party2_id",
    PHONE: "utter_marriage_unclear_phone",
    CONFIRMED: "utter_marriage_unclear_confirmed",
}
ID_REJECTIONS = {
    "empty": "utter_marriage_id_invalid_empty",
    "chars": "utter_marriage_id_invalid_chars",
    "length": "utter_marriage_id_invalid_length",
    "region": "utter_marriage_id_invalid_region",
    "birth_date": "utter_marriage_id_invalid_birth_date",
    "checksum": "utter_marriage_id_invalid_checksum",
    "passport_empty": "utter_marriage_id_invalid_passport_empty",
    "passport_chars": "utter_marriage_id_invalid_passport_chars",
    "passport_length": "utter_marriage_id_invalid_passport_length",
    "passport_no_digit": "utter_marriage_id_invalid_passport_no_digit",
}
PHONE_REJECTIONS = {
    "empty": "utter_marriage_phone_invalid_empty",
    "service_number": "utter_marriage_phone_invalid_service_number",
    "format": "utter_marriage_phone_invalid_format",
    "length": "utter_marriage_phone_invalid_length",
}
DATE_REJECTIONS = {
    "past": "utter_marriage_date_past",
    "too_soon": "utter_marriage_date_too_soon",
    "too_far": "utter_marriage_date_too_far",
    "holiday": "utter_marriage_date_holiday",
}
STATUS_RESPONSES = {
    "booked": "utter_marriage_status_booked",
    "rescheduled": "utter_marriage_status_rescheduled",
    "cancelled": "utter_marriage_status_cancelled",
    "attended": "utter_marriage_status_attended",
    "no_show": "utter_marriage_status_no_show",
}
