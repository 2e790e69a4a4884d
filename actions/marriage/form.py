"""`validate_marriage_form`: reads each answer of the booking form in natural Chinese.

Any message may fill several slots at once ("下周三上午在西湖区登记结婚"), and at the summary a
correction ("日期改成下周五") changes one answer and shows the summary again. When the answer says
nothing the form can use and the intent is a digression, 转人工 or stop, the validator returns no
events: Rasa then rejects the form and the rules of `bot/data/rules/marriage.yml` take over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError, BackofficeRejectedError
from actions.clients.marriage import (
    HalfDay,
    MarriageApi,
    NewBooking,
    Office,
    Person,
    Policy,
    get_marriage_api,
)
from actions.marriage import common as s
from actions.marriage.days import needs_city, read_day
from actions.marriage.parsing import (
    CITY_LEVEL,
    Correction,
    IdAnswer,
    format_day,
    half_day_label,
    is_affirmation,
    match_office,
    parse_booking_date,
    parse_business_type,
    parse_correction,
    parse_half_day_answer,
    parse_id_answer,
    parse_name,
    reads_as_question,
    wants_change,
)
from core.sealing import seal, unseal
from zhtext.city_time import city_today
from zhtext.phone import parse_phone

OWN_ACTIONS = frozenset(
    {
        "marriage_form",
        "validate_marriage_form",
        "action_start_marriage_booking",
        "action_listen",
        "action_extract_slots",
    }
)
MIN_NUMBER_DIGITS = 7
NARROW_SLOTS = {
    s.PARTY1_NAME: "name",
    s.PARTY2_NAME: "name",
    s.PARTY1_ID: "id",
    s.PARTY2_ID: "id",
    s.PHONE: "phone",
}
FIELD_SLOTS = {
    ("business_type", None): s.BUSINESS_TYPE,
    ("office", None): s.OFFICE,
    ("date", None): s.DATE,
    ("half_day", None): s.HALF_DAY,
    ("phone", None): s.PHONE,
    ("name", "party1"): s.PARTY1_NAME,
    ("name", "party2"): s.PARTY2_NAME,
    ("id", "party1"): s.PARTY1_ID,
    ("id", "party2"): s.PARTY2_ID,
}


@dataclass
class Turn:
    """One answer being read: the slot values so far and the changes this turn makes."""

    api: MarriageApi
    dispatcher: CollectingDispatcher
    values: dict[str, Any]
    today: dt.date
    changes: dict[str, Any] = field(default_factory=dict)
    _offices: list[Office] | None = None
    _policy: Policy | None = None

    def get(self, slot: str) -> Any:
        """The slot's value including this turn's changes."""
        return self.changes[slot] if slot in self.changes else self.values.get(slot)

    def set(self, slot: str, value: Any) -> None:
        """Change a slot."""
        self.changes[slot] = value

    def say(self, response: str, **values: Any) -> None:
        """Utter a response of the domain."""
        self.dispatcher.utter_message(response=response, **values)

    async def offices(self) -> list[Office]:
        """The offices (fetched once per turn)."""
        if self._offices is None:
            self._offices = await self.api.list_offices()
        return self._offices

    async def policy(self) -> Policy:
        """The booking rules (fetched once per turn)."""
        if self._policy is None:
            self._policy = await self.api.get_policy()
        return self._policy

    async def office(self, code: str | None) -> Office | None:
        """The office with this code."""
        return next((o for o in await self.offices() if o.code == code), None)


class ValidateMarriageForm(FormValidationAction):
    """Validates and fills the marriage booking form from free text and buttons."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_marriage_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Read the latest answer; see the module docstring."""
        return await validate_answer(dispatcher, tracker, own_actions=OWN_ACTIONS)


async def validate_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, own_actions: frozenset[str]
) -> list[EventType]:
    """Read the latest message as an answer to the requested slot (and any other slot).

    Args:
        dispatcher: Where replies go.
        tracker: The conversation.
        own_actions: Actions that may run between the message and this validation without the
            message counting as already handled.

    Returns:
        Slot events; none when the message was not an answer (Rasa then rejects the form).
    """
    if not s.has_fresh_user_message(tracker, own_actions):
        return []
    text = s.latest_text(tracker).strip()
    requested = tracker.get_slot("requested_slot")
    if text.startswith("/") and requested != s.CONFIRMED:
        return []  # a button with an intent payload (转人工, 算了 …): nothing to read
    intent, confidence = s.latest_intent(tracker)
    interrupting = (
        intent in s.INTERRUPTING_INTENTS and confidence >= s.INTERRUPTION_CONFIDENCE
    ) or s.is_side_question(intent, text)
    turn = Turn(
        api=get_marriage_api(),
        dispatcher=dispatcher,
        values={slot: tracker.get_slot(slot) for slot in (*s.FORM_SLOTS, *s.HELPER_SLOTS)},
        today=city_today(),
    )
    try:
        understood = await read_answer(turn, text, requested, intent, interrupting)
    except BackofficeError:
        dispatcher.utter_message(response="utter_records_unavailable")
        return [SlotSet(requested, None)] if requested else []
    if not understood:
        if interrupting or not requested:
            return []
        turn.say(s.UNCLEAR_RESPONSES.get(requested, "utter_marriage_unclear_confirmed"))
        return [SlotSet(requested, None)]
    if requested and requested not in turn.changes:
        turn.changes[requested] = turn.values.get(requested)
    return [SlotSet(slot, value) for slot, value in turn.changes.items()]


async def read_answer(
    turn: Turn, text: str, requested: str | None, intent: str, interrupting: bool
) -> bool:
    """Fill slots from one message; returns False when nothing in it could be used."""
    if interrupting and not await _answers_requested(turn, text, requested):
        return False  # "领证要带什么材料？" names a business but answers nothing: a side question
    if requested == s.CONFIRMED:
        return await _read_confirmation(turn, text, intent)
    correction = parse_correction(text)
    if correction is not None:
        await _apply_correction(turn, correction)
        return True
    if requested in NARROW_SLOTS:
        await _read_narrow(turn, requested, text)
        return True
    return await _read_broad(turn, text, requested)


async def _answers_requested(turn: Turn, text: str, requested: str | None) -> bool:
    """Whether a message that looks like a digression still answers the requested slot.

    A question is never an answer, even when it names one ("结婚要带什么材料？" names the
    business, "可以周末去吗？" asks at the summary): the knowledge rule answers it and the form
    asks again. An answer followed by a check ("12月3号可以吗？") is still an answer.
    """
    if reads_as_question(text):
        return False
    if requested == s.BUSINESS_TYPE:
        return parse_business_type(text) is not None
    if requested == s.OFFICE:
        return match_office(text, await turn.offices()) is not None
    if requested == s.DATE:
        return parse_booking_date(text, today=turn.today)[0] is not None
    if requested == s.HALF_DAY:
        return parse_half_day_answer(text) is not None
    if requested == s.CONFIRMED:
        return is_affirmation(text) or parse_correction(text) is not None
    kind = NARROW_SLOTS.get(requested or "")
    if kind == "name":
        return parse_name(text) is not None  # "我叫孙悦" may look like 转人工 to the NLU
    if kind == "id":
        answer = parse_id_answer(text, today=turn.today)
        return answer is not None and answer.number is not None
    if kind == "phone":
        return parse_phone(text).number is not None
    return False


def _confirms(text: str, intent: str) -> bool:
    """The 确认预约 button, or a message that as a whole says yes (not the NLU's guess).

    "可以带孩子吗？" or "对方叫王强" may be classified `affirm`; they must not book.
    """
    if text.startswith("/"):
        return intent == "affirm"
    return is_affirmation(text)


async def _read_confirmation(turn: Turn, text: str, intent: str) -> bool:
    if _confirms(text, intent):
        await _book(turn)
        return True
    correction = parse_correction(text)
    if correction is not None:
        await _apply_correction(turn, correction)
    elif intent == "deny" or wants_change(text):
        turn.say("utter_marriage_ask_which_field")
        turn.set(s.CHOOSING_FIELD, True)  # the field buttons are the question: no summary now
    elif not await _read_broad(turn, text, None):
        return False
    turn.set(s.CONFIRMED, None)
    return True


async def _apply_correction(turn: Turn, correction: Correction) -> None:
    """Change one answer; without a usable new value, clear it so the form asks again."""
    field_name, party = correction.field, correction.party
    if field_name in ("name", "id") and party is None:
        turn.say("utter_marriage_ask_which_party")
        turn.set(s.CHOOSING_FIELD, True)
        return
    slot = FIELD_SLOTS[(field_name, party if field_name in ("name", "id") else None)]
    digits = sum(ch.isdigit() for ch in correction.source)
    if not correction.new_text and field_name in ("id", "phone") and digits >= MIN_NUMBER_DIGITS:
        await _read_narrow(turn, slot, correction.source)  # "手机号换了，139…"
        return
    if correction.new_text:
        if slot in NARROW_SLOTS:
            await _read_narrow(turn, slot, correction.new_text)
            return
        if await _read_broad(turn, correction.new_text, slot) and slot in turn.changes:
            return
    turn.set(slot, None)


# ---------------------------------------------------------------- names, IDs, phone


async def _read_narrow(turn: Turn, slot: str, text: str) -> None:
    kind = NARROW_SLOTS[slot]
    if kind == "name":
        name = parse_name(text)
        if name is None:
            turn.say("utter_marriage_name_invalid")
        turn.set(slot, name)
    elif kind == "id":
        await _read_id(turn, slot, text)
    else:
        phone = parse_phone(text)
        if phone.number is None:
            turn.say(
                s.PHONE_REJECTIONS.get(str(phone.reason), "utter_marriage_phone_invalid_format")
            )
        turn.set(slot, phone.number)


async def _read_id(turn: Turn, slot: str, text: str) -> None:
    answer = parse_id_answer(text, today=turn.today)
    if answer is None or answer.number is None:
        reason = answer.reason if answer else "empty"
        turn.say(s.ID_REJECTIONS.get(str(reason), "utter_marriage_id_invalid_chars"))
        turn.set(slot, None)
        return
    other_slot = s.PARTY2_ID if slot == s.PARTY1_ID else s.PARTY1_ID
    if answer.number == unseal(turn.get(other_slot)):
        turn.say("utter_marriage_id_same_person")
        turn.set(slot, None)
        return
    if turn.get(s.BUSINESS_TYPE) == "marriage" and not await _old_enough(turn, answer):
        turn.set(slot, None)
        return
    # Sealed: the tracker store must not keep raw ID numbers (core/sealing.py).
    turn.set(slot, seal(answer.number))
    turn.set(s.PARTY1_ID_KIND if slot == s.PARTY1_ID else s.PARTY2_ID_KIND, answer.kind)
    if answer.needs_city_office:
        await _move_to_city_office(turn)


async def _old_enough(turn: Turn, answer: IdAnswer) -> bool:
    check = answer.check
    if check is None or check.birth_date is None or check.sex is None:
        return True  # passports carry no birth date: the office checks on the day
    policy = await turn.policy()
    minimum = policy.minimum_age.male if check.sex == "male" else policy.minimum_age.female
    day = s.parse_slot_date(turn.get(s.DATE)) or turn.today
    age = check.age_on(day)
    if age is not None and age < minimum:
        turn.say(
            "utter_marriage_underage",
            minimum_age=minimum,
            male_age=policy.minimum_age.male,
            female_age=policy.minimum_age.female,
        )
        return False
    return True


async def _move_to_city_office(turn: Turn) -> None:
    office = await turn.office(turn.get(s.OFFICE))
    if office is not None and office.level == CITY_LEVEL:
        return
    city = next(o for o in await turn.offices() if o.level == CITY_LEVEL)
    turn.say("utter_marriage_city_office_only", office_name=city.name)
    turn.set(s.OFFICE, city.code)
    await _check_place(turn)


# ---------------------------------------------------------------- type, office, date, half-day


async def _read_broad(turn: Turn, text: str, requested: str | None) -> bool:
    """Business type, office, date and half-day, from any message."""
    understood = False
    business_type = parse_business_type(text)
    if business_type is not None:
        understood = True
        if business_type != turn.get(s.BUSINESS_TYPE):
            turn.set(s.BUSINESS_TYPE, business_type)
            if business_type == "divorce":
                policy = await turn.policy()
                turn.say("utter_marriage_divorce_cooling_off", days=policy.cooling_off_days)
    place_changed = False
    match = match_office(text, await turn.offices())
    if match is not None:
        understood = True
        place_changed |= await _read_office(turn, match.codes, match.how, match.matched)
    day, half_day = parse_booking_date(text, today=turn.today)
    if day is not None:
        understood = True
        place_changed |= await read_day(turn, day, half_day)
    answer = half_day or parse_half_day_answer(text)
    either = False
    if answer is not None:
        understood = True
        if answer == "either":
            either = requested == s.HALF_DAY or turn.get(s.HALF_DAY) is None
        elif answer != turn.get(s.HALF_DAY):
            turn.set(s.HALF_DAY, answer)
            place_changed = True
    if place_changed or either:
        await _check_place(turn, either=either)
    return understood


async def _read_office(turn: Turn, codes: tuple[str, ...], how: str, matched: str) -> bool:
    if how == "nearby":
        turn.say("utter_marriage_office_nearby")
        return False
    if len(codes) > 1:
        names = "、".join(o.name for o in await turn.offices() if o.code in codes)
        turn.say("utter_marriage_office_which", matched=matched, offices=names)
        return False
    office = await turn.office(codes[0])
    if office is None:
        return False
    if needs_city(turn) and office.level != CITY_LEVEL:
        turn.say("utter_marriage_city_office_only", office_name=(await _city(turn)).name)
        return False
    if how == "former_merged":
        turn.say("utter_marriage_office_former", matched=matched, office_name=office.name)
    if office.code == turn.get(s.OFFICE):
        return False
    turn.set(s.OFFICE, office.code)
    return True


async def _check_place(turn: Turn, *, either: bool = False) -> None:
    """When office, day (and half-day) are known: is there room? If not, offer alternatives.

    Args:
        turn: The answer being read.
        either: The citizen said either half-day is fine: take the one with more room.
    """
    office_code, day = turn.get(s.OFFICE), s.parse_slot_date(turn.get(s.DATE))
    if not office_code or day is None:
        return
    half_day: HalfDay | None = turn.get(s.HALF_DAY)
    found = await turn.api.availability(
        office_code=office_code, day=day, half_day=half_day, city_only=needs_city(turn)
    )
    if found.has_room:
        if half_day is None and either and found.requested:
            turn.set(s.HALF_DAY, found.requested.half_day)
        turn.set(s.SUGGESTIONS, None)
        return
    office = await turn.office(office_code)
    when = format_day(day, today=turn.today)
    if half_day is not None:
        when += half_day_label(half_day)
    buttons = s.suggestion_buttons(found, today=turn.today)
    turn.say(
        "utter_marriage_slot_full",
        office_name=office.name if office else "",
        when=when,
    )
    turn.set(s.SUGGESTIONS, [b["title"] for b in buttons] or None)
    turn.set(s.DATE, None)
    turn.set(s.HALF_DAY, None)


async def _city(turn: Turn) -> Office:
    return next(o for o in await turn.offices() if o.level == CITY_LEVEL)


# ---------------------------------------------------------------- booking at confirmation


async def _book(turn: Turn) -> None:
    """Book what the summary showed; on a refusal, say why and ask again for what must change."""
    day = s.parse_slot_date(turn.get(s.DATE))
    values = {slot: turn.get(slot) for slot in s.FORM_SLOTS}
    for sealed_slot in (s.PARTY1_ID, s.PARTY2_ID):
        values[sealed_slot] = unseal(values[sealed_slot])
    missing = [slot for slot, value in values.items() if slot != s.CONFIRMED and not value]
    if day is None or missing:
        turn.set(s.CONFIRMED, None)
        return
    booking = NewBooking(
        booking_type=str(values[s.BUSINESS_TYPE]),
        office_code=str(values[s.OFFICE]),
        day=day,
        half_day=values[s.HALF_DAY],
        party1=Person(
            name=str(values[s.PARTY1_NAME]),
            id_kind=turn.get(s.PARTY1_ID_KIND) or "id_card",
            id_number=str(values[s.PARTY1_ID]),
        ),
        party2=Person(
            name=str(values[s.PARTY2_NAME]),
            id_kind=turn.get(s.PARTY2_ID_KIND) or "id_card",
            id_number=str(values[s.PARTY2_ID]),
        ),
        phone=str(values[s.PHONE]),
    )
    try:
        created = await turn.api.create_booking(booking)
    except BackofficeRejectedError as refused:
        turn.set(s.CONFIRMED, None)
        await _explain_refusal(turn, refused)
        return
    turn.set(s.REFERENCE, created.reference)
    turn.set(s.CONFIRMED, True)


async def _explain_refusal(turn: Turn, refused: BackofficeRejectedError) -> None:
    code = refused.code
    if code == "slot_full":
        await _check_place(turn)
        if turn.get(s.DATE) is not None:  # the place was freed again meanwhile
            turn.say("utter_marriage_booking_refused", detail=refused.detail)
    elif code == "person_busy":
        turn.say("utter_marriage_person_busy")
        turn.set(s.DATE, None)
        turn.set(s.HALF_DAY, None)
    elif code.startswith("day_"):
        turn.say("utter_marriage_booking_refused", detail=refused.detail)
        turn.set(s.DATE, None)
    elif code == "needs_city_office":
        await _move_to_city_office(turn)
    else:
        turn.say("utter_marriage_booking_refused", detail=refused.detail)
