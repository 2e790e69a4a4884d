"""Which days can be booked: working days from the next working day up to the horizon.

Working days come from `zhtext.holidays` (chinese-calendar, then the editors' holiday file);
days in years without an official schedule are flagged `is_estimate`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from backoffice.records.marriage.policy import BookingWindow
from zhtext.holidays import HolidayCalendar, default_calendar

DayReason = Literal["past", "too_soon", "too_far", "not_working_day"]


@dataclass(frozen=True)
class Window:
    """The first and last day that may be booked (both included)."""

    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class DayCheck:
    """Whether a day can be booked, and why not.

    Attributes:
        day: The day asked for.
        bookable: True when it is a working day inside the window.
        reason: Why not, None when bookable.
        is_estimate: True when the day's working-day status is only estimated (no official
            holiday schedule for that year yet).
        holiday: Holiday code when the day is a holiday (or a weekend worked for one).
        window: The booking window it was checked against.
    """

    day: dt.date
    bookable: bool
    reason: DayReason | None
    is_estimate: bool
    holiday: str | None
    window: Window


def booking_window(
    *, today: dt.date, window: BookingWindow, calendar: HolidayCalendar | None = None
) -> Window:
    """The window of bookable days as seen on `today`."""
    calendar = calendar or default_calendar()
    first = calendar.next_working_days(today, window.lead_working_days)[-1].date
    return Window(first=first, last=today + dt.timedelta(days=window.horizon_days))


def check_day(
    day: dt.date,
    *,
    today: dt.date,
    window: BookingWindow,
    calendar: HolidayCalendar | None = None,
) -> DayCheck:
    """Check one day against the window and the holiday calendar."""
    calendar = calendar or default_calendar()
    bounds = booking_window(today=today, window=window, calendar=calendar)
    status = calendar.day_status(day)
    reason: DayReason | None = None
    if day <= today:
        reason = "past"
    elif day < bounds.first:
        reason = "too_soon"
    elif day > bounds.last:
        reason = "too_far"
    elif not status.is_working_day:
        reason = "not_working_day"
    return DayCheck(
        day=day,
        bookable=reason is None,
        reason=reason,
        is_estimate=status.is_estimate,
        holiday=status.name,
        window=bounds,
    )


def bookable_days(
    *, today: dt.date, window: BookingWindow, calendar: HolidayCalendar | None = None
) -> list[DayCheck]:
    """Every bookable day of the window, in order."""
    calendar = calendar or default_calendar()
    bounds = booking_window(today=today, window=window, calendar=calendar)
    days: list[DayCheck] = []
    day = bounds.first
    while day <= bounds.last:
        check = check_day(day, today=today, window=window, calendar=calendar)
        if check.bookable:
            days.append(check)
        day += dt.timedelta(days=1)
    return days
