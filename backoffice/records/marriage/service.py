"""Marriage-registration booking: offices, availability, book, find, reschedule, cancel.

Concurrency: every write transaction starts with a write (so SQLite takes its write lock first
and never has to upgrade a read snapshot), capacity is taken with a conditional UPDATE
(`booked < capacity`, rowcount checked), and "one person, one active booking per day" is a unique
constraint. The same statements work on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.db import insert_ignore
from backoffice.records.marriage.bookable import DayCheck, bookable_days, check_day
from backoffice.records.marriage.models import (
    MarriageBooking,
    MarriageBookingEvent,
    MarriageOffice,
    MarriagePersonDay,
    MarriageReferenceCounter,
    MarriageSlot,
)
from backoffice.records.marriage.policy import BookingType, HalfDay, MarriagePolicy
from backoffice.records.marriage.schemas import BookingCreate, PersonIn
from backoffice.references import format_reference, next_number
from core.errors import ApiError
from core.texts import TextCatalogue
from zhtext.idcard import (
    age_on,
    normalise_id_number,
    validate_id_number,
    validate_passport_number,
)
from zhtext.phone import parse_phone
from zhtext.streets import default_place_table, distance_km

ACTIVE_STATUSES = ("booked", "rescheduled")
HALF_DAYS: tuple[HalfDay, ...] = ("am", "pm")
CITY_LEVEL = "city"
REFERENCE_PREFIX = "HY"


MESSAGES = TextCatalogue(Path(__file__).with_name("messages.yml"))


def refusal(code: str, status_code: int, **values: object) -> ApiError:
    """The refusal `code` with its message from messages.yml, placeholders filled."""
    return ApiError(status_code, code, MESSAGES.text_or_key(code, **values))


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


# ---------------------------------------------------------------- offices


def list_offices(*, session: Session) -> list[MarriageOffice]:
    """All offices, the municipal one first."""
    return list(session.scalars(select(MarriageOffice).order_by(MarriageOffice.sort_order)))


def get_office(*, session: Session, code: str) -> MarriageOffice:
    """The office with this code.

    Raises:
        ApiError: `unknown_office` (404).
    """
    office = session.scalar(select(MarriageOffice).where(MarriageOffice.code == code))
    if office is None:
        raise refusal("unknown_office", 404)
    return office


def upsert_offices(*, session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update offices by code; returns how many rows were written."""
    existing = {office.code: office for office in session.scalars(select(MarriageOffice))}
    count = 0
    for row in rows:
        office = existing.get(row["code"]) or MarriageOffice(code=row["code"])
        office.name = row["name"]
        office.district_code = row["district_code"]
        office.level = row["level"]
        office.address = row["address"]
        office.phone = str(row["phone"])
        office.hours = row["hours"]
        office.capacity_am = int(row["capacity_am"])
        office.capacity_pm = int(row["capacity_pm"])
        office.keywords = [str(k) for k in row.get("keywords", [])]
        office.sample = bool(row.get("sample", True))
        office.sort_order = int(row.get("sort_order", 0))
        session.add(office)
        count += 1
    session.commit()
    return count


# ---------------------------------------------------------------- availability


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
        for other in sorted(offices, key=_nearest_first(office)):
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


def _nearest_first(office: MarriageOffice) -> Callable[[MarriageOffice], tuple[bool, float, int]]:
    """Sort key of other offices: nearest district centre to `office`'s first, the city one last.

    An 淳安 citizen whose day is full is offered 建德 and 桐庐 before 上城.
    """
    centres = default_place_table()
    here = centres.centre(office.district_code)

    def key(other: MarriageOffice) -> tuple[bool, float, int]:
        distance = distance_km(*here, *centres.centre(other.district_code))
        return (other.level == CITY_LEVEL, round(distance, 1), other.sort_order)

    return key


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


# ---------------------------------------------------------------- booking


def person_key(id_number: str) -> str:
    """The key under which a person's day claims are stored (no readable ID number)."""
    return hashlib.sha256(normalise_id_number(id_number).encode()).hexdigest()


def create_booking(
    *, session: Session, policy: MarriagePolicy, request: BookingCreate, today: dt.date
) -> MarriageBooking:
    """Book a half-day for a couple.

    Raises:
        ApiError: `unknown_office`, `day_<reason>`, `invalid_id_number`,
            `invalid_passport_number`, `same_person`, `needs_city_office`, `underage`,
            `invalid_phone`, `invalid_name`, `slot_full`, `person_busy`.
    """
    office = get_office(session=session, code=request.office_code)
    office_id, office_level = office.id, office.level
    capacity = office.capacity_am if request.half_day == "am" else office.capacity_pm
    _require_bookable(request.day, today=today, policy=policy)
    party1 = _checked_person(request.party1, today=today)
    party2 = _checked_person(request.party2, today=today)
    if party1.id_number == party2.id_number:
        raise refusal("same_person", 422)
    if request.booking_type == "marriage":
        for person in (party1, party2):
            _require_age(person, policy=policy, on=request.day)
    if (party1.needs_city_office or party2.needs_city_office) and office_level != CITY_LEVEL:
        raise refusal("needs_city_office", 422)
    phone = parse_phone(request.phone)
    if phone.number is None:
        raise refusal("invalid_phone", 422)
    session.rollback()  # end the read snapshot: the write transaction must start with a write

    now = dt.datetime.now(dt.UTC)
    try:
        _take_place(
            session=session,
            office_id=office_id,
            day=request.day,
            half_day=request.half_day,
            capacity=capacity,
        )
        booking = MarriageBooking(
            reference=_next_reference(session=session, day=request.day),
            booking_type=request.booking_type,
            office_id=office_id,
            day=request.day,
            half_day=request.half_day,
            party1_name=party1.name,
            party1_id_kind=party1.id_kind,
            party1_id_number=party1.id_number,
            party2_name=party2.name,
            party2_id_kind=party2.id_kind,
            party2_id_number=party2.id_number,
            phone=phone.number,
            status="booked",
            created_at=now,
            updated_at=now,
        )
        session.add(booking)
        session.flush()
        _claim_days(session=session, booking=booking)
        _record(session=session, booking=booking, status="booked", at=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(booking)
    return booking


def find_booking(
    *,
    session: Session,
    reference: str,
    phone: str | None = None,
    id_last4: str | None = None,
) -> MarriageBooking:
    """The booking with this reference, if the caller also knows its phone or an ID's last 4.

    Unknown references and wrong answers get the same answer, so a reference alone reveals
    nothing. Repeated wrong answers are limited by the routes (`backoffice/lookup_guard.py`,
    per time window), not here: a stranger's guesses must not lock the owner out for good.

    Raises:
        ApiError: `not_found` (404).
    """
    booking = staff_find_booking(session=session, reference=reference)
    if not _proves_ownership(booking, phone=phone, id_last4=id_last4):
        raise refusal("not_found", 404)
    return booking


def staff_find_booking(*, session: Session, reference: str) -> MarriageBooking:
    """The booking with this reference, without a proof: for logged-in staff only.

    Raises:
        ApiError: `not_found` (404).
    """
    booking = session.scalar(
        select(MarriageBooking).where(MarriageBooking.reference == normalise_reference(reference))
    )
    if booking is None:
        raise refusal("not_found", 404)
    return booking


def normalise_reference(reference: str) -> str:
    """Uppercase, without spaces; "hy 20261201 0007" → "HY-20261201-0007"."""
    compact = "".join(ch for ch in reference.upper() if ch.isalnum())
    if len(compact) == 14 and compact.startswith(REFERENCE_PREFIX) and compact[2:].isdigit():
        return f"{compact[:2]}-{compact[2:10]}-{compact[10:]}"
    return reference.strip().upper()


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
    new_office_id, capacity = (
        office.id,
        (office.capacity_am if half_day == "am" else office.capacity_pm),
    )
    if (office.id, day, half_day) == (booking.office_id, booking.day, booking.half_day):
        raise refusal("same_slot", 409)
    _require_bookable(day, today=today, policy=policy)
    foreign = "passport" in (booking.party1_id_kind, booking.party2_id_kind) or any(
        _needs_city_office(number)
        for number in (booking.party1_id_number, booking.party2_id_number)
    )
    if foreign and office.level != CITY_LEVEL:
        raise refusal("needs_city_office", 422)
    if booking.booking_type == "marriage":
        for number, kind in (
            (booking.party1_id_number, booking.party1_id_kind),
            (booking.party2_id_number, booking.party2_id_kind),
        ):
            if kind == "id_card":
                person = _checked_person(
                    PersonIn(name="-", id_kind="id_card", id_number=number), today=today
                )
                _require_age(person, policy=policy, on=day)
    booking_id = booking.id
    old = (booking.office_id, booking.day, booking.half_day)
    session.rollback()

    now = dt.datetime.now(dt.UTC)
    try:
        _take_place(
            session=session, office_id=new_office_id, day=day, half_day=half_day, capacity=capacity
        )
        moved = session.execute(
            update(MarriageBooking)
            .where(MarriageBooking.id == booking_id, MarriageBooking.status.in_(ACTIVE_STATUSES))
            .values(
                office_id=new_office_id,
                day=day,
                half_day=half_day,
                status="rescheduled",
                updated_at=now,
            )
        )
        if _rowcount(moved) != 1:
            raise refusal("not_active", 409)
        _release_place(session=session, office_id=old[0], day=old[1], half_day=old[2])
        session.execute(delete(MarriagePersonDay).where(MarriagePersonDay.booking_id == booking_id))
        booking = session.get_one(MarriageBooking, booking_id, populate_existing=True)
        _claim_days(session=session, booking=booking)
        _record(session=session, booking=booking, status="rescheduled", at=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
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


def _close(
    *, session: Session, booking: MarriageBooking, status: str, release: bool = True
) -> MarriageBooking:
    booking_id = booking.id
    place = (booking.office_id, booking.day, booking.half_day)
    session.rollback()
    now = dt.datetime.now(dt.UTC)
    try:
        closed = session.execute(
            update(MarriageBooking)
            .where(MarriageBooking.id == booking_id, MarriageBooking.status.in_(ACTIVE_STATUSES))
            .values(status=status, updated_at=now)
        )
        if _rowcount(closed) != 1:
            raise refusal("not_active", 409)
        if release:
            _release_place(session=session, office_id=place[0], day=place[1], half_day=place[2])
            session.execute(
                delete(MarriagePersonDay).where(MarriagePersonDay.booking_id == booking_id)
            )
        closed_booking = session.get_one(MarriageBooking, booking_id, populate_existing=True)
        _record(session=session, booking=closed_booking, status=status, at=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(closed_booking)
    return closed_booking


# ---------------------------------------------------------------- helpers


@dataclass(frozen=True)
class _Person:
    name: str
    id_kind: str
    id_number: str
    birth_date: dt.date | None
    sex: str | None
    needs_city_office: bool


def _checked_person(person: PersonIn, *, today: dt.date) -> _Person:
    name = " ".join(person.name.split())
    if not name or any(ch.isdigit() for ch in name):
        raise refusal("invalid_name", 422)
    if person.id_kind == "passport":
        passport = validate_passport_number(person.id_number)
        if not passport.valid:
            raise refusal("invalid_passport_number", 422)
        return _Person(name, "passport", passport.number, None, None, True)
    check = validate_id_number(person.id_number, today=today)
    if not check.valid:
        raise refusal("invalid_id_number", 422, reason=check.reason or "")
    return _Person(
        name,
        "id_card",
        check.number,
        check.birth_date,
        check.sex,
        check.holder != "resident",
    )


def _needs_city_office(id_number: str) -> bool:
    check = validate_id_number(id_number)
    return check.valid and check.holder != "resident"


def _require_age(person: _Person, *, policy: MarriagePolicy, on: dt.date) -> None:
    if person.birth_date is None or person.sex is None:
        return
    minimum = policy.minimum_age.male if person.sex == "male" else policy.minimum_age.female
    if age_on(person.birth_date, on) < minimum:
        raise refusal(
            "underage",
            422,
            minimum=minimum,
            male_age=policy.minimum_age.male,
            female_age=policy.minimum_age.female,
        )


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


def _proves_ownership(booking: MarriageBooking, *, phone: str | None, id_last4: str | None) -> bool:
    if phone:
        parsed = parse_phone(phone)
        if parsed.number is not None and parsed.number == booking.phone:
            return True
    if id_last4:
        last4 = id_last4.strip().upper()
        return any(
            number[-4:].upper() == last4
            for number in (booking.party1_id_number, booking.party2_id_number)
        )
    return False


def _rowcount(result: Any) -> int:
    count: int = result.rowcount
    return count


def _take_place(
    *, session: Session, office_id: int, day: dt.date, half_day: str, capacity: int
) -> None:
    """Take one place in a half-day, creating its row on first use.

    Raises:
        ApiError: `slot_full` (409) when no place is left.
    """
    insert_ignore(
        session,
        MarriageSlot,
        {
            "office_id": office_id,
            "day": day,
            "half_day": half_day,
            "capacity": capacity,
            "booked": 0,
        },
    )
    taken = session.execute(
        update(MarriageSlot)
        .where(
            MarriageSlot.office_id == office_id,
            MarriageSlot.day == day,
            MarriageSlot.half_day == half_day,
            MarriageSlot.booked < MarriageSlot.capacity,
        )
        .values(booked=MarriageSlot.booked + 1)
    )
    if _rowcount(taken) != 1:
        raise refusal("slot_full", 409)


def _release_place(*, session: Session, office_id: int, day: dt.date, half_day: str) -> None:
    session.execute(
        update(MarriageSlot)
        .where(
            MarriageSlot.office_id == office_id,
            MarriageSlot.day == day,
            MarriageSlot.half_day == half_day,
            MarriageSlot.booked > 0,
        )
        .values(booked=MarriageSlot.booked - 1)
    )


def _next_reference(*, session: Session, day: dt.date) -> str:
    """HY-YYYYMMDD-NNNN: the appointment day and a per-day counter (inside the transaction)."""
    number = next_number(session, MarriageReferenceCounter, day=day)
    return format_reference(REFERENCE_PREFIX, day, number)


def _claim_days(*, session: Session, booking: MarriageBooking) -> None:
    """Claim the day for both parties; a party already booked that day fails the booking."""
    for number in (booking.party1_id_number, booking.party2_id_number):
        session.add(
            MarriagePersonDay(person_key=person_key(number), day=booking.day, booking_id=booking.id)
        )
    try:
        session.flush()
    except IntegrityError as error:
        raise refusal("person_busy", 409) from error


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


def booking_types(policy: MarriagePolicy) -> Sequence[BookingType]:
    """The booking types of the policy, in file order."""
    return list(policy.booking_types)
