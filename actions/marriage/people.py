"""The booking form's names, identity numbers and phone: the answers read only when asked."""

from __future__ import annotations

from actions.form_answers import read_phone
from actions.marriage import common as s
from actions.marriage.form_turn import Turn
from actions.marriage.parsing import CITY_LEVEL, IdAnswer, parse_id_answer
from actions.marriage.place import check_place, city_office
from core.sealing import seal, unseal
from zhtext.names import parse_person_name

NARROW_SLOTS = {
    s.PARTY1_NAME: "name",
    s.PARTY2_NAME: "name",
    s.PARTY1_ID: "id",
    s.PARTY2_ID: "id",
    s.PHONE: "phone",
}


async def read_narrow(turn: Turn, slot: str, text: str) -> None:
    """Read a name, ID number or phone for `slot`; say what was wrong when it is not one."""
    kind = NARROW_SLOTS[slot]
    if kind == "name":
        name = parse_person_name(text)
        if name is None:
            turn.say("utter_marriage_name_invalid")
        turn.set(slot, name)
    elif kind == "id":
        await _read_id(turn, slot, text)
    else:
        rejections, default = s.PHONE_REJECTIONS, "utter_marriage_phone_invalid_format"
        turn.set(slot, read_phone(turn.dispatcher, text, rejections, default))


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
        await move_to_city_office(turn)


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


async def move_to_city_office(turn: Turn) -> None:
    """Move the booking to the city office (some ID documents are registered only there)."""
    office = await turn.office(turn.get(s.OFFICE))
    if office is not None and office.level == CITY_LEVEL:
        return
    city = await city_office(turn)
    turn.say("utter_marriage_city_office_only", office_name=city.name)
    turn.set(s.OFFICE, city.code)
    await check_place(turn)
