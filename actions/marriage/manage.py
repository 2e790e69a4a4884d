"""Check, reschedule and cancel a booking: reference plus phone or an ID's last 4 characters.

A reference alone gives nothing: the back office answers "not found" for an unknown reference and
for a wrong phone or last-4 alike, and refuses further tries for a while after repeated wrong
answers (hotline staff can still look the booking up).
"""

from __future__ import annotations

import contextlib
import re
from typing import TypedDict

from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError, BackofficeRejectedError
from actions.clients.marriage import get_marriage_api
from actions.confirm_service import request_words
from actions.lookup_refusals import ask_back_office
from actions.marriage import common as s
from actions.marriage.booking import booking_values, utter_booking
from actions.marriage.form import validate_answer
from actions.marriage.wanted_time import LOOKUP_REQUEST, time_asked_for
from zhtext.city_time import city_today
from zhtext.phone import parse_phone

MANAGE_ACTION = "marriage_manage_action"
LOOKUP_REFERENCE = "marriage_lookup_reference"
LOOKUP_PROOF = "marriage_lookup_proof"
PENDING = "marriage_pending"
LOOKUP_FORM = "marriage_lookup_form"
# Refusals of a cancellation that get their own reply (others show the back office's message).
CANCEL_REFUSALS = {
    "cancel_too_late": "utter_marriage_cancel_too_late",
    "too_many_attempts": "utter_marriage_lookup_locked",
}
MANAGE_INTENTS = {
    "check_marriage_booking": "check",
    "reschedule_marriage_booking": "reschedule",
    "cancel_marriage_booking": "cancel",
}
LOOKUP_ACTIONS = frozenset(
    {
        "marriage_lookup_form",
        "validate_marriage_lookup_form",
        "action_start_marriage_lookup",
        "action_listen",
        "action_extract_slots",
    }
)
RESCHEDULE_ACTIONS = frozenset(
    {
        "marriage_reschedule_form",
        "validate_marriage_reschedule_form",
        "action_listen",
        "action_extract_slots",
    }
)
_REFERENCE = re.compile(r"HY\W{0,2}(\d{8})\W{0,2}(\d{4})(?!\d)", re.IGNORECASE)
_LAST4 = re.compile(r"(?<![0-9A-Za-z])(\d{3}[\dXx])(?![0-9A-Za-z])")
# A whole 18-character ID number, possibly typed in groups ("330106 19950605 4016"); its shape
# (a birth date at 7–14) keeps a phone followed by other digits from passing for one.
_FULL_ID = re.compile(r"(?<![0-9A-Za-z])((?:\d[\s\-]?){17}[\dXx])(?![0-9A-Za-z])")
_ID_SHAPE = re.compile(r"\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]")
LAST4_LENGTH = 4


def parse_reference(text: str) -> str | None:
    """The booking reference in a message: "hy 20261201 0007" → "HY-20261201-0007"."""
    found = _REFERENCE.search(text)
    return f"HY-{found.group(1)}-{found.group(2)}" if found else None


def parse_proof(text: str) -> str | None:
    """A phone number, or the last 4 characters of an ID number ("1234", "123X").

    A whole ID number is accepted too: only its last 4 characters are kept (the full number is
    neither stored in a slot nor sent to the back office).
    """
    without_reference = _REFERENCE.sub(" ", text)
    for full_id in _FULL_ID.finditer(without_reference):
        compact = re.sub(r"[\s\-]", "", full_id.group(1)).upper()
        if _ID_SHAPE.fullmatch(compact):
            return compact[-LAST4_LENGTH:]
    phone = parse_phone(without_reference)
    if phone.number is not None:
        return phone.number
    found = _LAST4.search(without_reference)
    return found.group(1).upper() if found else None


class BookingKeys(TypedDict):
    """What the back office wants to find a booking: the reference and `phone` or `id_last4`."""

    reference: str
    phone: str | None
    id_last4: str | None


def booking_keys(tracker: Tracker) -> BookingKeys:
    """The reference and the proof the look-up form collected, as the API wants them."""
    reference = str(tracker.get_slot(LOOKUP_REFERENCE) or "")
    proof = str(tracker.get_slot(LOOKUP_PROOF) or "")
    if len(proof) == LAST4_LENGTH:
        return BookingKeys(reference=reference, phone=None, id_last4=proof)
    return BookingKeys(reference=reference, phone=proof, id_last4=None)


def _say_lookup_failed(dispatcher: CollectingDispatcher, refused: BackofficeRejectedError) -> None:
    """A refused look-up: locked after too many tries, else not found (which part is not said)."""
    if refused.code == "too_many_attempts":
        dispatcher.utter_message(response="utter_marriage_lookup_locked")
    else:
        dispatcher.utter_message(response="utter_marriage_lookup_failed")


def _say_cancel_refused(dispatcher: CollectingDispatcher, refused: BackofficeRejectedError) -> None:
    """A refused cancellation: its own reply (CANCEL_REFUSALS), else the back office's reason."""
    response = CANCEL_REFUSALS.get(refused.code)
    if response is None:
        _say_change_refused(dispatcher, refused)
    else:
        dispatcher.utter_message(response=response)


def _say_change_refused(dispatcher: CollectingDispatcher, refused: BackofficeRejectedError) -> None:
    """A refused change, with the back office's reason."""
    dispatcher.utter_message(response="utter_marriage_change_refused", detail=refused.detail)


class ActionStartMarriageLookup(Action):
    """Starts check / reschedule / cancel; keeps a booking already verified in this chat."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_start_marriage_lookup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Remember what the citizen wants to do and ask for the reference if needed."""
        intent, _ = s.latest_intent(tracker)
        return start_lookup(dispatcher, tracker, MANAGE_INTENTS.get(intent, "check"))


def start_lookup(
    dispatcher: CollectingDispatcher, tracker: Tracker, wanted: str
) -> list[EventType]:
    """Events that start checking / rescheduling / cancelling (`wanted`) a booking."""
    events: list[EventType] = [SlotSet(MANAGE_ACTION, wanted)]
    events.append(SlotSet(LOOKUP_REQUEST, request_words(tracker)))
    if tracker.get_slot(PENDING) and tracker.get_slot(LOOKUP_PROOF):
        return events  # verified a moment ago: go straight on
    dispatcher.utter_message(response="utter_marriage_lookup_intro")
    return [
        *events,
        SlotSet(PENDING, None),
        SlotSet(LOOKUP_PROOF, None),
        SlotSet(LOOKUP_REFERENCE, tracker.get_slot(s.REFERENCE)),
    ]


def lookup_of_own_booking(
    dispatcher: CollectingDispatcher, tracker: Tracker, service_intent: str
) -> list[EventType] | None:
    """A new time right after booking here ("改到下周五"): no ask-back, the look-up starts.

    The message names no marriage service, so the EvidenceGate held it back; but this
    conversation made a booking, which gives it its meaning. None when that is not the case.
    """
    wanted = MANAGE_INTENTS.get(service_intent)
    if wanted is None or not tracker.get_slot(s.REFERENCE):
        return None
    events = start_lookup(dispatcher, tracker, wanted)
    return [*events, ActiveLoop(LOOKUP_FORM), FollowupAction(LOOKUP_FORM)]


class ValidateMarriageLookupForm(FormValidationAction):
    """Reads the reference and the phone / last 4 digits, in any order or together."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_marriage_lookup_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Fill what the message contains; say what is wrong otherwise."""
        if not s.has_fresh_user_message(tracker, LOOKUP_ACTIONS):
            return []
        text = s.latest_text(tracker)
        requested = tracker.get_slot("requested_slot")
        if text.startswith("/"):
            return []
        events: list[EventType] = []
        reference = parse_reference(text)
        if reference:
            events.append(SlotSet(LOOKUP_REFERENCE, reference))
        proof = parse_proof(text)
        if proof and (reference or requested == LOOKUP_PROOF):
            events.append(SlotSet(LOOKUP_PROOF, proof))
        if events or not requested:
            return events
        intent, confidence = s.latest_intent(tracker)
        if intent in s.INTERRUPTING_INTENTS and confidence >= s.INTERRUPTION_CONFIDENCE:
            return []
        if requested == LOOKUP_REFERENCE:
            dispatcher.utter_message(response="utter_marriage_lookup_reference_invalid")
        else:
            dispatcher.utter_message(response="utter_marriage_lookup_proof_invalid")
        return [SlotSet(requested, None)]


class ActionFindMarriageBooking(Action):
    """Looks the booking up and goes on with what the citizen wanted."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_find_marriage_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Show the booking (masked) and ask what is next, or say it was not found."""
        wanted = str(tracker.get_slot(MANAGE_ACTION) or "check")
        booking = await ask_back_office(
            dispatcher,
            get_marriage_api().find_booking(**booking_keys(tracker)),
            lambda refused: _say_lookup_failed(dispatcher, refused),
        )
        if isinstance(booking, BackofficeRejectedError):
            return [SlotSet(PENDING, None), SlotSet(LOOKUP_PROOF, None)]
        if isinstance(booking, BackofficeError):
            return [SlotSet(PENDING, None)]
        active = booking.status in ("booked", "rescheduled")
        today = city_today()
        if active and wanted == "cancel" and booking.day < today:
            dispatcher.utter_message(response="utter_marriage_cancel_too_late")
            return [SlotSet(PENDING, None)]
        if active and wanted == "reschedule" and booking.day <= today:
            dispatcher.utter_message(response="utter_marriage_reschedule_too_late")
            return [SlotSet(PENDING, None)]
        if wanted == "check" or not active:
            utter_booking(dispatcher, booking, response=s.STATUS_RESPONSES[booking.status])
            if active:
                dispatcher.utter_message(response="utter_marriage_offer_changes")
            return [SlotSet(PENDING, "check" if active else None)]
        dispatcher.utter_message(response="utter_marriage_booking_found", **booking_values(booking))
        if wanted == "cancel":
            dispatcher.utter_message(response="utter_marriage_confirm_cancel")
            return [SlotSet(PENDING, "cancel")]
        new_time = {s.OFFICE: booking.office.code, s.DATE: None, s.HALF_DAY: None}
        new_time[s.SUGGESTIONS] = None
        # "改到下周五下午": the time the request named is used, not asked again (records down:
        # the reschedule form asks, and reads the answer, as usual).
        with contextlib.suppress(BackofficeError):
            new_time.update(await time_asked_for(dispatcher, tracker, booking))
        return [
            SlotSet(PENDING, "reschedule"),
            SlotSet(s.BUSINESS_TYPE, booking.booking_type),
            *(SlotSet(slot, value) for slot, value in new_time.items()),
        ]


class ActionCancelMarriageBooking(Action):
    """Cancels the booking just found (after the citizen confirmed)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_cancel_marriage_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Cancel and say so."""
        booking = await ask_back_office(
            dispatcher,
            get_marriage_api().cancel_booking(**booking_keys(tracker)),
            lambda refused: _say_cancel_refused(dispatcher, refused),
        )
        if isinstance(booking, BackofficeError):
            return [SlotSet(PENDING, None)]
        dispatcher.utter_message(response="utter_marriage_cancelled", **booking_values(booking))
        return [SlotSet(PENDING, None)]


class ValidateMarriageRescheduleForm(FormValidationAction):
    """Reads the new day and half-day (and office) like the booking form does."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_marriage_reschedule_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Same reading as the booking form."""
        return await validate_answer(dispatcher, tracker, own_actions=RESCHEDULE_ACTIONS)


class ActionRescheduleMarriageBooking(Action):
    """Moves the booking to the half-day chosen in the reschedule form."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_reschedule_marriage_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Reschedule and say where and when now."""
        day = s.parse_slot_date(tracker.get_slot(s.DATE))
        half_day = tracker.get_slot(s.HALF_DAY)
        done: list[EventType] = [SlotSet(PENDING, None), SlotSet(s.DATE, None)]
        done.append(SlotSet(s.HALF_DAY, None))
        if day is None or half_day not in ("am", "pm"):
            dispatcher.utter_message(response="utter_marriage_change_refused", detail="")
            return done
        api = get_marriage_api()
        booking = await ask_back_office(
            dispatcher,
            api.reschedule_booking(
                **booking_keys(tracker),
                day=day,
                half_day=half_day,
                office_code=tracker.get_slot(s.OFFICE),
            ),
            lambda refused: _say_change_refused(dispatcher, refused),
        )
        if isinstance(booking, BackofficeError):
            return done
        utter_booking(dispatcher, booking, response="utter_marriage_rescheduled")
        return done
