"""The booking form's business type, office, date and half-day, read from any message."""

from __future__ import annotations

from actions.clients.marriage import HalfDay, Office
from actions.marriage import common as s
from actions.marriage.days import needs_city, read_day
from actions.marriage.form_turn import Turn
from actions.marriage.parsing import (
    CITY_LEVEL,
    format_day,
    half_day_label,
    match_office,
    parse_booking_date,
    parse_business_type,
    parse_half_day_answer,
)


async def read_broad(turn: Turn, text: str, requested: str | None) -> bool:
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
        await check_place(turn, either=either)
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
        turn.say("utter_marriage_city_office_only", office_name=(await city_office(turn)).name)
        return False
    if how == "former_merged":
        turn.say("utter_marriage_office_former", matched=matched, office_name=office.name)
    if office.code == turn.get(s.OFFICE):
        return False
    turn.set(s.OFFICE, office.code)
    return True


async def check_place(turn: Turn, *, either: bool = False) -> None:
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


async def city_office(turn: Turn) -> Office:
    """The city-level office (the one every kind of booking may use)."""
    return next(o for o in await turn.offices() if o.level == CITY_LEVEL)
