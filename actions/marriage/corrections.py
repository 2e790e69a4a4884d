"""A correction of one answer ("日期改成下周五", "手机号换了，139…") and the summary's 确认预约."""

from __future__ import annotations

from actions.clients.backoffice import BackofficeRejectedError
from actions.clients.marriage import NewBooking, Person
from actions.marriage import common as s
from actions.marriage.form_turn import Turn
from actions.marriage.parsing import Correction, is_affirmation, parse_correction, wants_change
from actions.marriage.people import NARROW_SLOTS, move_to_city_office, read_narrow
from actions.marriage.place import check_place, read_broad
from core.sealing import unseal

MIN_NUMBER_DIGITS = 7
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


def confirms(text: str, intent: str) -> bool:
    """The 确认预约 button, or a message that as a whole says yes (not the NLU's guess).

    "可以带孩子吗？" or "对方叫王强" may be classified `affirm`; they must not book.
    """
    if text.startswith("/"):
        return intent == "affirm"
    return is_affirmation(text)


async def read_confirmation(turn: Turn, text: str, intent: str) -> bool:
    """Read the answer to the summary: 确认预约 books, a correction or a new answer changes it."""
    if confirms(text, intent):
        await book(turn)
        return True
    correction = parse_correction(text)
    if correction is not None:
        await apply_correction(turn, correction)
    elif intent == "deny" or wants_change(text):
        turn.say("utter_marriage_ask_which_field")
        turn.set(s.CHOOSING_FIELD, True)  # the field buttons are the question: no summary now
    elif not await read_broad(turn, text, None):
        return False
    turn.set(s.CONFIRMED, None)
    return True


async def apply_correction(turn: Turn, correction: Correction) -> None:
    """Change one answer; without a usable new value, clear it so the form asks again."""
    field_name, party = correction.field, correction.party
    if field_name in ("name", "id") and party is None:
        turn.say("utter_marriage_ask_which_party")
        turn.set(s.CHOOSING_FIELD, True)
        return
    slot = FIELD_SLOTS[(field_name, party if field_name in ("name", "id") else None)]
    digits = sum(ch.isdigit() for ch in correction.source)
    if not correction.new_text and field_name in ("id", "phone") and digits >= MIN_NUMBER_DIGITS:
        await read_narrow(turn, slot, correction.source)  # "手机号换了，139…"
        return
    if correction.new_text:
        if slot in NARROW_SLOTS:
            await read_narrow(turn, slot, correction.new_text)
            return
        if await read_broad(turn, correction.new_text, slot) and slot in turn.changes:
            return
    turn.set(slot, None)


async def book(turn: Turn) -> None:
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
        await check_place(turn)
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
        await move_to_city_office(turn)
    else:
        turn.say("utter_marriage_booking_refused", detail=refused.detail)
