"""The booking lifecycle: book, reschedule, cancel, record attendance.

Concurrency: every write transaction starts with a write (so SQLite takes its write lock first
and never has to upgrade a read snapshot), capacity is taken with a conditional UPDATE
(`booked < capacity`, rowcount checked), and "one person, one active booking per day" is a unique
constraint (`claims.py`). The same statements work on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backoffice.db import rowcount
from backoffice.records.marriage.bookable import DayCheck, check_day
from backoffice.records.marriage.booking_lookup import (
    REFERENCE_PREFIX,
    find_booking,
    staff_find_booking,
)
from backoffice.records.marriage.claims import claim_days, release_days, release_place, take_place
from backoffice.records.marriage.identity import (
    CheckedPerson,
    checked_person,
    needs_city_office,
    require_age,
)
from backoffice.records.marriage.models import (
    MarriageBooking,
    MarriageBookingEvent,
    MarriageOffice,
    MarriageReferenceCounter,
)
from backoffice.records.marriage.offices import CITY_LEVEL, get_office
from backoffice.records.marriage.policy import HalfDay, MarriagePolicy
from backoffice.records.marriage.refusals import refusal
from backoffice.records.marriage.schemas import BookingCreate, PersonIn
from backoffice.references import format_reference, next_number
from core.errors import ApiError
from zhtext.phone import parse_phone

ACTIVE_STATUSES = ("booked", "rescheduled")


def create_booking(
    *, session: Session, policy: MarriagePolicy, request: BookingCreate, today: dt.date
) -> tuple[MarriageBooking, bool]:
    """Book a half-day for a couple; returns the booking and whether it was created now.

    The same request again (the same couple, office, half-day, business and phone: a citizen who
    pressed 确认 twice, or retried after an error) gets the booking already stored back, so a
    request is booked once however often it is sent (as eldercare visits are).

    Raises:
        ApiError: `unknown_office`, `day_<reason>`, `invalid_id_number`,
            `invalid_passport_number`, `same_person`, `needs_city_office`, `underage`,
            `invalid_phone`, `invalid_name`, `slot_full`, `person_busy`.
    """
    office = get_office(session=session, code=request.office_code)
    office_id, office_level = office.id, office.level
    capacity = office.capacity_am if request.half_day == "am" else office.capacity_pm
    _require_bookable(request.day, today=today, policy=policy)
    party1 = checked_person(request.party1, today=today)
    party2 = checked_person(request.party2, today=today)
    if party1.id_number == party2.id_number:
        raise refusal("same_person", 422)
    if request.booking_type == "marriage":
        for person in (party1, party2):
            require_age(person, policy=policy, on=request.day)
    if (party1.needs_city_office or party2.needs_city_office) and office_level != CITY_LEVEL:
        raise refusal("needs_city_office", 422)
    phone = parse_phone(request.phone)
    if phone.number is None:
        raise refusal("invalid_phone", 422)
    same = SameBooking(
        booking_type=request.booking_type,
        office_id=office_id,
        day=request.day,
        half_day=request.half_day,
        id_numbers=frozenset((party1.id_number, party2.id_number)),
        phone=phone.number,
    )
    stored = same.find(session)
    if stored is not None:  # the same request again (确认 pressed twice): booked once
        return stored, False
    session.rollback()  # end the read snapshot: the write transaction must start with a write
    try:
        created = _insert_booking(
            session=session, same=same, parties=(party1, party2), capacity=capacity
        )
    except ApiError as refused:
        # An identical request that won the race took the place or the day: it is this booking.
        stored = same.find(session) if refused.code in ("slot_full", "person_busy") else None
        if stored is None:
            raise
        return stored, False
    return created, True


@dataclass(frozen=True)
class SameBooking:
    """What makes a request the same booking again: who, where, when, which business, phone."""

    booking_type: str
    office_id: int
    day: dt.date
    half_day: str
    id_numbers: frozenset[str]
    phone: str

    def find(self, session: Session) -> MarriageBooking | None:
        """The active booking this request would make, if it is stored already."""
        candidates = session.scalars(
            select(MarriageBooking).where(
                MarriageBooking.booking_type == self.booking_type,
                MarriageBooking.office_id == self.office_id,
                MarriageBooking.day == self.day,
                MarriageBooking.half_day == self.half_day,
                MarriageBooking.phone == self.phone,
                MarriageBooking.status.in_(ACTIVE_STATUSES),
            )
        )
        return next(
            (
                booking
                for booking in candidates
                if {booking.party1_id_number, booking.party2_id_number} == self.id_numbers
            ),
            None,
        )


def _insert_booking(
    *,
    session: Session,
    same: SameBooking,
    parties: tuple[CheckedPerson, CheckedPerson],
    capacity: int,
) -> MarriageBooking:
    """The write transaction of a new booking (checks done): place, row, day claims, history."""
    party1, party2 = parties
    now = dt.datetime.now(dt.UTC)
    with _transaction(session):
        take_place(
            session=session,
            office_id=same.office_id,
            day=same.day,
            half_day=same.half_day,
            capacity=capacity,
        )
        booking = MarriageBooking(
            reference=_next_reference(session=session, day=same.day),
            booking_type=same.booking_type,
            office_id=same.office_id,
            day=same.day,
            half_day=same.half_day,
            party1_name=party1.name,
            party1_id_kind=party1.id_kind,
            party1_id_number=party1.id_number,
            party2_name=party2.name,
            party2_id_kind=party2.id_kind,
            party2_id_number=party2.id_number,
            phone=same.phone,
            status="booked",
            created_at=now,
            updated_at=now,
        )
        session.add(booking)
        session.flush()
        claim_days(session=session, booking=booking)
        _record(session=session, booking=booking, status="booked", at=now)
    session.refresh(booking)
    return booking


def reschedule_booking(
    *,
    session: Session,
    policy: MarriagePolicy,
    reference: str,
    phone: str | None,
    id_last4: str | None,
    day: dt.date,
    half_day: HalfDay,
    office_code: str | None,
    today: dt.date,
) -> MarriageBooking:
    """Move an active booking to another half-day (and office).

    Raises:
        ApiError: as `find_booking`, plus `not_active`, `same_slot`, `day_<reason>`,
            `needs_city_office`, `underage`, `slot_full`, `person_busy`.
    """
    booking = find_booking(session=session, reference=reference, phone=phone, id_last4=id_last4)
    if booking.status not in ACTIVE_STATUSES or booking.day <= today:
        raise refusal("not_active", 409)
    office = get_office(session=session, code=office_code or booking.office.code)
    new_office_id = office.id
    capacity = office.capacity_am if half_day == "am" else office.capacity_pm
    if (office.id, day, half_day) == (booking.office_id, booking.day, booking.half_day):
        raise refusal("same_slot", 409)
    _require_bookable(day, today=today, policy=policy)
    foreign = "passport" in (booking.party1_id_kind, booking.party2_id_kind) or any(
        needs_city_office(number) for number in (booking.party1_id_number, booking.party2_id_number)
    )
    if foreign and office.level != CITY_LEVEL:
        raise refusal("needs_city_office", 422)
    if booking.booking_type == "marriage":
        for number, kind in (
            (booking.party1_id_number, booking.party1_id_kind),
            (booking.party2_id_number, booking.party2_id_kind),
        ):
            if kind == "id_card":
                person = checked_person(
                    PersonIn(name="-", id_kind="id_card", id_number=number), today=today
                )
                require_age(person, policy=policy, on=day)
    booking_id = booking.id
    old = (booking.office_id, booking.day, booking.half_day)
    session.rollback()
    with _transaction(session):
        take_place(
            session=session, office_id=new_office_id, day=day, half_day=half_day, capacity=capacity
        )
        booking = _change_active(
            session=session,
            booking_id=booking_id,
            status="rescheduled",
            release=old,
            office_id=new_office_id,
            day=day,
            half_day=half_day,
        )
        claim_days(session=session, booking=booking)
    session.refresh(booking)
    return booking


def cancel_booking(
    *,
    session: Session,
    reference: str,
    phone: str | None,
    id_last4: str | None,
    today: dt.date,
) -> MarriageBooking:
    """Cancel an active booking and give its place back; cancelling twice changes nothing.

    A booking whose day has passed cannot be cancelled any more (it is attended or a no-show
    for staff to record); on the day itself it still can.

    Raises:
        ApiError: as `find_booking`, plus `not_active` (attended or no-show bookings) and
            `cancel_too_late` (the day has passed).
    """
    booking = find_booking(session=session, reference=reference, phone=phone, id_last4=id_last4)
    if booking.status == "cancelled":
        return booking
    if booking.status not in ACTIVE_STATUSES:
        raise refusal("not_active", 409)
    if booking.day < today:
        raise refusal("cancel_too_late", 409)
    return _close(session=session, booking=booking, status="cancelled")


def record_attendance(
    *, session: Session, reference: str, status: str, today: dt.date
) -> MarriageBooking:
    """Staff record that the couple came (`attended`) or did not (`no_show`).

    Only on or after the booking's day: nobody has come or stayed away from a day to come.

    Raises:
        ApiError: `not_found`, `not_active`, `invalid_status`, `attendance_too_early`.
    """
    if status not in ("attended", "no_show"):
        raise refusal("invalid_status", 422)
    booking = staff_find_booking(session=session, reference=reference)
    if booking.status not in ACTIVE_STATUSES:
        raise refusal("not_active", 409)
    if booking.day > today:
        raise refusal("attendance_too_early", 409)
    return _close(session=session, booking=booking, status=status, release=False)


def count_active_on(*, session: Session, office_code: str, day: dt.date, half_day: str) -> int:
    """How many active bookings an office has on one half-day (for tests and staff)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(MarriageBooking)
            .join(MarriageOffice)
            .where(
                MarriageOffice.code == office_code,
                MarriageBooking.day == day,
                MarriageBooking.half_day == half_day,
                MarriageBooking.status.in_(ACTIVE_STATUSES),
            )
        )
        or 0
    )


@contextmanager
def _transaction(session: Session) -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back on any error."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _close(
    *, session: Session, booking: MarriageBooking, status: str, release: bool = True
) -> MarriageBooking:
    booking_id = booking.id
    place = (booking.office_id, booking.day, booking.half_day)
    session.rollback()
    with _transaction(session):
        closed = _change_active(
            session=session,
            booking_id=booking_id,
            status=status,
            release=place if release else None,
        )
    session.refresh(closed)
    return closed


def _change_active(
    *,
    session: Session,
    booking_id: int,
    status: str,
    release: tuple[int, dt.date, str] | None,
    **values: object,
) -> MarriageBooking:
    """Change an active booking (a conditional UPDATE), record the step and read it back.

    `values` are set with the status; `release` (office, day, half-day) is the place given back
    with the booking's day claims.

    Raises:
        ApiError: `not_active` (409) when the booking stopped being active meanwhile.
    """
    now = dt.datetime.now(dt.UTC)
    changed = session.execute(
        update(MarriageBooking)
        .where(MarriageBooking.id == booking_id, MarriageBooking.status.in_(ACTIVE_STATUSES))
        .values(**values, status=status, updated_at=now)
    )
    if rowcount(changed) != 1:
        raise refusal("not_active", 409)
    if release is not None:
        office_id, day, half_day = release
        release_place(session=session, office_id=office_id, day=day, half_day=half_day)
        release_days(session=session, booking_id=booking_id)
    booking = session.get_one(MarriageBooking, booking_id, populate_existing=True)
    _record(session=session, booking=booking, status=status, at=now)
    return booking


def _require_bookable(day: dt.date, *, today: dt.date, policy: MarriagePolicy) -> DayCheck:
    check = check_day(day, today=today, window=policy.booking_window)
    if not check.bookable:
        raise refusal(
            f"day_{check.reason}",
            422,
            first_day=check.window.first.isoformat(),
            last_day=check.window.last.isoformat(),
            lead_working_days=policy.booking_window.lead_working_days,
            horizon_days=policy.booking_window.horizon_days,
        )
    return check


def _next_reference(*, session: Session, day: dt.date) -> str:
    """HY-YYYYMMDD-NNNN: the appointment day and a per-day counter (inside the transaction)."""
    number = next_number(session, MarriageReferenceCounter, day=day)
    return format_reference(REFERENCE_PREFIX, day, number)


def _record(*, session: Session, booking: MarriageBooking, status: str, at: dt.datetime) -> None:
    session.add(
        MarriageBookingEvent(
            booking_id=booking.id,
            status=status,
            office_id=booking.office_id,
            day=booking.day,
            half_day=booking.half_day,
            at=at,
        )
    )
