"""Places left on a half-day, and the nearest alternatives when it is full or not bookable.

Alternatives at the same office are ranked by how close their half-day is to the one asked
for; other offices by the distance between district centres (`offices.nearest_first`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.records.marriage.bookable import DayCheck, bookable_days, check_day
from backoffice.records.marriage.models import MarriageOffice, MarriageSlot
from backoffice.records.marriage.offices import get_office, list_offices, nearest_first
from backoffice.records.marriage.policy import HalfDay, MarriagePolicy

HALF_DAYS: tuple[HalfDay, ...] = ("am", "pm")


@dataclass(frozen=True)
class HalfDayPlace:
    """Places left in one half-day at one office."""

    office: MarriageOffice
    day: dt.date
    half_day: HalfDay
    remaining: int
    is_estimate: bool


@dataclass(frozen=True)
class Availability:
    """Whether the requested half-day has room, and the nearest alternatives."""

    day: DayCheck
    requested: HalfDayPlace | None
    same_office: list[HalfDayPlace]
    other_offices: list[HalfDayPlace]


def availability(
    *,
    session: Session,
    policy: MarriagePolicy,
    office_code: str,
    day: dt.date,
    half_day: HalfDay | None,
    today: dt.date,
    needs_city_office: bool = False,
) -> Availability:
    """Places left on the requested half-day, and alternatives when it is full or not bookable.

    Args:
        session: Database session.
        policy: Booking rules.
        office_code: The office asked for.
        day: The day asked for.
        half_day: The half-day asked for; None checks both and offers alternatives only when
            both are full.
        today: The day to count the window from.
        needs_city_office: Only the municipal office may be offered (foreign parties).
    """
    office = get_office(session=session, code=office_code)
    check = check_day(day, today=today, window=policy.booking_window)
    offices = list_offices(session=session)
    days = bookable_days(today=today, window=policy.booking_window)
    booked = _booked_counts(session=session, first=check.window.first, last=check.window.last)

    def place(target: MarriageOffice, slot_day: DayCheck, slot_half: HalfDay) -> HalfDayPlace:
        capacity, used = booked.get(
            (target.id, slot_day.day, slot_half),
            (target.capacity_am if slot_half == "am" else target.capacity_pm, 0),
        )
        remaining = capacity - used
        return HalfDayPlace(
            target, slot_day.day, slot_half, max(remaining, 0), slot_day.is_estimate
        )

    requested: HalfDayPlace | None = None
    wanted_halves: tuple[HalfDay, ...] = (half_day,) if half_day else HALF_DAYS
    if check.bookable:
        candidates = [place(office, check, half) for half in wanted_halves]
        requested = max(candidates, key=lambda p: p.remaining)
        if requested.remaining > 0:
            return Availability(check, requested, [], [])

    position = _half_day_index(day, half_day or "am")
    same: list[HalfDayPlace] = []
    for slot_day in days:
        for half in HALF_DAYS:
            candidate = place(office, slot_day, half)
            if candidate.remaining > 0 and (slot_day.day, half) != (day, half_day):
                same.append(candidate)
    same.sort(
        key=lambda p: (abs(_half_day_index(p.day, p.half_day) - position), p.day != day, p.day)
    )
    others: list[HalfDayPlace] = []
    if check.bookable and not needs_city_office:
        for other in sorted(offices, key=nearest_first(office)):
            if other.id == office.id:
                continue
            for half in (*wanted_halves, *[h for h in HALF_DAYS if h not in wanted_halves]):
                candidate = place(other, check, half)
                if candidate.remaining > 0:
                    others.append(candidate)
                    break
    return Availability(
        check,
        requested,
        same[: policy.alternatives.same_office],
        others[: policy.alternatives.other_offices],
    )


def _half_day_index(day: dt.date, half_day: HalfDay) -> int:
    return day.toordinal() * 2 + (0 if half_day == "am" else 1)


def _booked_counts(
    *, session: Session, first: dt.date, last: dt.date
) -> dict[tuple[int, dt.date, str], tuple[int, int]]:
    """(office id, day, half-day) → (capacity, booked) for the slot rows in the window."""
    rows = session.execute(
        select(
            MarriageSlot.office_id,
            MarriageSlot.day,
            MarriageSlot.half_day,
            MarriageSlot.capacity,
            MarriageSlot.booked,
        ).where(MarriageSlot.day.between(first, last))
    )
    return {(r.office_id, r.day, r.half_day): (r.capacity, r.booked) for r in rows}
