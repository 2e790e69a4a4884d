"""The booking window as the citizen hears it: which day was asked for, and the last bookable day.

The back office's window ends `horizon_days` after today, whatever day that is (a Saturday, New
Year's Day …). A reply that names the end ("最远可以约到…为止") must name a day the booking
check accepts, so the last day is asked of the back office's calendar (the same working-day and
holiday rules the booking uses), walking back from the window's end.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from rasa_sdk.executor import CollectingDispatcher

from actions.clients.marriage import DayCheck, HalfDay, MarriageApi, Policy
from actions.marriage import common as s
from actions.marriage.parsing import format_day, parse_id_answer
from core.sealing import unseal

# The window is about a month: a walk back longer than that means the calendar has no bookable
# day at its end at all (then the first bookable day is named).
MAX_DAYS_BACK = 31


class DayTurn(Protocol):
    """What reading a day needs of the form's turn (`actions.marriage.form_turn.Turn`)."""

    api: MarriageApi
    dispatcher: CollectingDispatcher
    today: dt.date

    def get(self, slot: str) -> Any:
        """The slot's value including this turn's changes."""

    def set(self, slot: str, value: Any) -> None:
        """Change a slot."""

    def say(self, response: str, **values: Any) -> None:
        """Utter a response of the domain."""

    async def policy(self) -> Policy:
        """The booking rules."""


async def last_bookable_day(api: MarriageApi, check: DayCheck) -> dt.date:
    """The last day of the window `check` was made against that can be booked.

    Args:
        api: The back office, whose calendar decides.
        check: Any day check; its `last_day` is the window's end.

    Returns:
        The window's end when bookable, else the nearest bookable day before it (the first
        bookable day when none is found).
    """
    day = check.last_day
    for _ in range(MAX_DAYS_BACK):
        if day < check.first_day:
            break
        if (await api.check_day(day)).bookable:
            return day
        day -= dt.timedelta(days=1)
    return check.first_day


def needs_city(turn: DayTurn) -> bool:
    """A passport or a non-mainland ID: only the municipal office registers them."""
    kinds = (turn.get(s.PARTY1_ID_KIND), turn.get(s.PARTY2_ID_KIND))
    if "passport" in kinds:
        return True
    for slot in (s.PARTY1_ID, s.PARTY2_ID):
        number = unseal(turn.get(slot))
        if number:
            answer = parse_id_answer(str(number), today=turn.today)
            if answer is not None and answer.needs_city_office:
                return True
    return False


async def read_day(turn: DayTurn, day: dt.date, half_day: HalfDay | None = None) -> bool:
    """Take `day` when it can be booked; otherwise say why and offer the nearest days."""
    check = await turn.api.check_day(day)
    day_text = format_day(day, today=turn.today)
    if not check.bookable:
        window = (await turn.policy()).booking_window
        reason = check.reason or "not_working_day"
        if reason == "not_working_day" and check.holiday_name:
            reason = "holiday"
        if reason == "not_working_day":
            # Weekends are open by appointment; the editors' rule says why not here (one text,
            # also quoted by the knowledge article), instead of "the office is closed".
            turn.dispatcher.utter_message(text=(await turn.policy()).weekend.reply(day_text))
        else:
            last_day = await last_bookable_day(turn.api, check) if reason == "too_far" else None
            turn.say(
                s.DATE_REJECTIONS[reason],
                day=day_text,
                first_day=format_day(check.first_day, today=turn.today),
                last_day=format_day(last_day or check.last_day, today=turn.today),
                holiday=check.holiday_name or "",
                lead_working_days=window.lead_working_days,
                horizon_days=window.horizon_days,
            )
        turn.set(s.DATE, None)
        if reason in ("not_working_day", "holiday"):
            await offer_days_around(turn, check, half_day or turn.get(s.HALF_DAY))
        return False
    if check.is_estimate:
        turn.say("utter_marriage_date_estimate", day=day_text, year=day.year)
    if day.isoformat() == turn.get(s.DATE):
        return False
    turn.set(s.DATE, day.isoformat())
    return True


async def offer_days_around(turn: DayTurn, check: DayCheck, half_day: HalfDay | None) -> None:
    """After a weekend or holiday: the nearest free half-days around the day asked for.

    With the office known, the back office's availability search gives the free half-days
    nearest to that day (before and after); without it, the next bookable days after it.
    """
    office_code = turn.get(s.OFFICE)
    if office_code:
        found = await turn.api.availability(
            office_code=office_code,
            day=check.day,
            half_day=half_day,
            city_only=needs_city(turn),
        )
        titles = [b["title"] for b in s.suggestion_buttons(found, today=turn.today)]
    else:
        days = check.next_bookable_days[: s.DAYS_OFFERED]
        titles = [format_day(day, today=turn.today) for day in days]
    turn.set(s.SUGGESTIONS, titles or None)
