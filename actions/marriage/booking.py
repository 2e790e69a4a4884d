"""Starting the booking form, its custom questions, and the reply after booking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.marriage import Booking, Policy, get_marriage_api
from actions.marriage import common as s
from actions.marriage.days import last_bookable_day
from actions.marriage.parsing import format_day, half_day_label, vocabulary
from core.sealing import unseal
from zhtext.city_time import city_today
from zhtext.idcard import mask_id_number, mask_name, mask_phone, validate_id_number


class ActionStartMarriageBooking(Action):
    """Starts a fresh booking: clears the answers of an earlier one and says what comes."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_start_marriage_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Reset the form's slots."""
        dispatcher.utter_message(response="utter_marriage_intro")
        return [SlotSet(slot, None) for slot in (*s.FORM_SLOTS, *s.HELPER_SLOTS)]


class ActionAskMarriageDate(Action):
    """Asks for the day, with the next bookable days (or the alternatives to a full one)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_ask_marriage_date"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Offer buttons; free text works too."""
        suggestions = tracker.get_slot(s.SUGGESTIONS)
        if isinstance(suggestions, list) and suggestions:
            buttons = [{"title": str(t), "payload": str(t)} for t in suggestions]
            dispatcher.utter_message(response="utter_marriage_ask_alternative", buttons=buttons)
            return [SlotSet(s.SUGGESTIONS, None)]
        today = city_today()
        try:
            api = get_marriage_api()
            check = await api.check_day(today)
            window = (await api.get_policy()).booking_window
            last_day = await last_bookable_day(api, check)
        except BackofficeError:
            # Without the back office the window is unknown: ask without naming it.
            dispatcher.utter_message(response="utter_marriage_ask_date_plain")
            return []
        days = check.next_bookable_days[: s.DAYS_OFFERED]
        titles = [format_day(day, today=today) for day in days]
        dispatcher.utter_message(
            response="utter_ask_marriage_date",
            buttons=[{"title": title, "payload": title} for title in titles],
            first_day=format_day(check.first_day, today=today),
            last_day=format_day(last_day, today=today),
            lead_working_days=window.lead_working_days,
            horizon_days=window.horizon_days,
        )
        return []


class ActionAskMarriageConfirmed(Action):
    """Shows the summary (personal data masked) and asks to confirm or correct."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_ask_marriage_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the summary (not right after asking which answer to change)."""
        if tracker.get_slot(s.CHOOSING_FIELD):
            return [SlotSet(s.CHOOSING_FIELD, None)]
        today = city_today()
        try:
            api = get_marriage_api()
            offices = {o.code: o for o in await api.list_offices()}
            policy = await api.get_policy()
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return []
        business_type = str(tracker.get_slot(s.BUSINESS_TYPE))
        office = offices.get(str(tracker.get_slot(s.OFFICE)))
        day = s.parse_slot_date(tracker.get_slot(s.DATE))
        dispatcher.utter_message(
            response="utter_marriage_summary",
            business=_label(policy, business_type),
            office_name=office.name if office else "",
            day=format_day(day, today=today) if day else "",
            half_day=half_day_label(str(tracker.get_slot(s.HALF_DAY))),
            party1_name=mask_name(str(tracker.get_slot(s.PARTY1_NAME) or "")),
            party1_id=mask_id_number(unseal(tracker.get_slot(s.PARTY1_ID)) or ""),
            party1_id_details=_id_details(tracker, s.PARTY1_ID, s.PARTY1_ID_KIND, today=today),
            party2_name=mask_name(str(tracker.get_slot(s.PARTY2_NAME) or "")),
            party2_id=mask_id_number(unseal(tracker.get_slot(s.PARTY2_ID)) or ""),
            party2_id_details=_id_details(tracker, s.PARTY2_ID, s.PARTY2_ID_KIND, today=today),
            phone=mask_phone(str(tracker.get_slot(s.PHONE) or "")),
        )
        if business_type == "divorce":
            dispatcher.utter_message(
                response="utter_marriage_divorce_reminder", days=policy.cooling_off_days
            )
        return []


class ActionCompleteMarriageBooking(Action):
    """After the form: the reference, where and when, what to bring; then clears the answers."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_complete_marriage_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the booking and the documents checklist."""
        reference = str(tracker.get_slot(s.REFERENCE) or "")
        clear = [SlotSet(slot, None) for slot in (*s.FORM_SLOTS, *s.HELPER_SLOTS)]
        keep = [SlotSet(s.REFERENCE, reference or None)]
        try:
            api = get_marriage_api()
            booking = await api.find_booking(
                reference=reference, phone=str(tracker.get_slot(s.PHONE) or "")
            )
            policy = await api.get_policy()
        except BackofficeError:
            dispatcher.utter_message(response="utter_marriage_booked_short", reference=reference)
            return [*clear, *keep]
        utter_booking(dispatcher, booking, response="utter_marriage_booked")
        utter_documents(dispatcher, booking, policy)
        return [*clear, *keep]


def booking_values(booking: Booking) -> dict[str, Any]:
    """The values a booking reply shows (personal data stays masked)."""
    today = city_today()
    return {
        "reference": booking.reference,
        "business": booking.booking_type_label,
        "office_name": booking.office.name,
        "address": booking.office.address,
        "office_phone": booking.office.phone,
        "hours": booking.office.hours,
        "day": format_day(booking.day, today=today),
        "half_day": half_day_label(booking.half_day),
        "party1_name": booking.party1_name,
        "party2_name": booking.party2_name,
        "phone": booking.phone,
    }


def utter_booking(dispatcher: CollectingDispatcher, booking: Booking, *, response: str) -> None:
    """A booking reply, with the notes on sample office data and estimated holidays."""
    dispatcher.utter_message(response=response, **booking_values(booking))
    if booking.office.sample:
        dispatcher.utter_message(response="utter_marriage_sample_office")
    if booking.day_is_estimate:
        dispatcher.utter_message(response="utter_marriage_date_estimate_booked")


def utter_documents(dispatcher: CollectingDispatcher, booking: Booking, policy: Policy) -> None:
    """What to bring for this business (from knowledge/policies/marriage_booking.yml)."""
    rule = policy.booking_types.get(booking.booking_type)
    if rule is None:
        return
    documents = "\n".join(f"{i}. {doc}" for i, doc in enumerate(rule.documents, start=1))
    dispatcher.utter_message(
        response="utter_marriage_documents",
        business=rule.label,
        documents=documents,
        note=rule.note,
    )
    if booking.booking_type == "divorce":
        dispatcher.utter_message(
            response="utter_marriage_divorce_reminder", days=policy.cooling_off_days
        )


def id_details(number: str, kind: str | None, *, today: dt.date) -> str:
    """What the summary shows beside a masked ID number: "，1995年6月5日出生，男".

    The birth date and sex are read from the number itself, so a mistyped digit in the birth date
    shows although the number is masked. Passports (and numbers that do not parse) show nothing.
    """
    if kind == "passport" or not number:
        return ""
    check = validate_id_number(number, today=today)
    if not check.valid or check.birth_date is None or check.sex is None:
        return ""
    words = vocabulary()
    born = check.birth_date
    birth_date = words.text("birth_date_format").format(
        year=born.year, month=born.month, day=born.day
    )
    sex = str(words.raw["sex_labels"][check.sex])
    return words.text("id_details_format").format(birth_date=birth_date, sex=sex)


def _id_details(tracker: Tracker, slot: str, kind_slot: str, *, today: dt.date) -> str:
    number = unseal(tracker.get_slot(slot)) or ""
    return id_details(str(number), tracker.get_slot(kind_slot), today=today)


def _label(policy: Policy, business_type: str) -> str:
    rule = policy.booking_types.get(business_type)
    return rule.label if rule else business_type
