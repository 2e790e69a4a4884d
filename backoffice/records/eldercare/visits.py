"""Visit bookings (参观预约): free places, book (atomic), find, cancel, a facility's day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.db import rowcount
from backoffice.records import places
from backoffice.records.eldercare.facilities import get_facility
from backoffice.records.eldercare.models import (
    EldercareReferenceCounter,
    EldercareVisit,
    EldercareVisitSlot,
)
from backoffice.records.eldercare.refusals import refusal
from backoffice.records.eldercare.schemas import HalfDay
from backoffice.references import format_reference, next_number
from zhtext.phone import parse_phone

VISIT_WINDOW_DAYS = 30
REFERENCE_PREFIX = "YL"
_BOOKING_ATTEMPTS = 5


def normalise_phone(text: str) -> str:
    """The canonical form of a personal phone number.

    Raises:
        ApiError: ``invalid_phone``.
    """
    parsed = parse_phone(text)
    if parsed.number is None:
        raise refusal("invalid_phone")
    return parsed.number


@dataclass(frozen=True)
class VisitPlaces:
    """Free visit places of a facility in the morning and the afternoon of one day."""

    facility_code: str
    visit_date: dt.date
    am: int
    pm: int
    bookable: bool


def visit_availability(
    *, session: Session, code: str, visit_date: dt.date, today: dt.date
) -> VisitPlaces:
    """Free visit places in the morning and the afternoon of ``visit_date``."""
    facility = get_facility(session=session, code=code)
    slots = {
        slot.half_day: slot.capacity - slot.booked
        for slot in session.scalars(
            select(EldercareVisitSlot).where(
                EldercareVisitSlot.facility_id == facility.id,
                EldercareVisitSlot.visit_date == visit_date,
            )
        )
    }
    bookable = facility.visit_capacity > 0 and _in_window(visit_date, today)
    am = slots.get("am", facility.visit_capacity) if bookable else 0
    pm = slots.get("pm", facility.visit_capacity) if bookable else 0
    return VisitPlaces(facility_code=code, visit_date=visit_date, am=am, pm=pm, bookable=bookable)


def book_visit(
    *,
    session: Session,
    facility_code: str,
    visit_date: dt.date,
    half_day: HalfDay,
    visitor_name: str,
    phone: str,
    conversation_id: str | None = None,
    today: dt.date,
) -> tuple[EldercareVisit, bool]:
    """Book a visit; returns the visit and whether it was created now.

    The same phone booking the same facility and half-day again gets the existing booking back.
    A place is claimed with a conditional UPDATE, so concurrent bookings never exceed capacity.

    Raises:
        ApiError: ``facility_not_found`` (404), ``visits_not_offered``,
            ``date_out_of_window``, ``invalid_phone`` (422) or ``slot_full`` (409).
    """
    facility = get_facility(session=session, code=facility_code)
    if facility.visit_capacity <= 0:
        raise refusal("visits_not_offered")
    if not _in_window(visit_date, today):
        raise refusal("date_out_of_window")
    number = normalise_phone(phone)
    facility_id = facility.id
    for _ in range(_BOOKING_ATTEMPTS):
        existing = _live_visit(session, facility_id, visit_date, half_day, number)
        if existing is not None:
            return existing, False
        try:
            key = {"facility_id": facility_id, "visit_date": visit_date, "half_day": half_day}
            if not places.take_place(
                session, EldercareVisitSlot, key, capacity=facility.visit_capacity
            ):
                session.rollback()
                raise refusal("slot_full", 409)
            visit = EldercareVisit(
                reference=_next_reference(session, visit_date),
                facility_id=facility_id,
                visit_date=visit_date,
                half_day=half_day,
                visitor_name=visitor_name,
                phone=number,
                status="booked",
                conversation_id=conversation_id,
            )
            session.add(visit)
            session.commit()
            return visit, True
        except IntegrityError:
            # Another booking took the same reference number, or the same phone booked twice
            # at once: start again (the claimed place was rolled back with the transaction).
            session.rollback()
    raise refusal("busy", 409)


def find_visit(*, session: Session, reference: str, phone: str) -> EldercareVisit:
    """The visit with this reference, if ``phone`` is the one it was booked with.

    Raises:
        ApiError: ``visit_not_found`` (404) also when the phone does not match.
    """
    visit = session.scalar(
        select(EldercareVisit).where(EldercareVisit.reference == reference.strip().upper())
    )
    parsed = parse_phone(phone)
    if visit is None or parsed.number != visit.phone:
        raise refusal("visit_not_found", 404)
    return visit


def cancel_visit(
    *, session: Session, reference: str, phone: str, now: dt.datetime | None = None
) -> EldercareVisit:
    """Cancel a visit and give its place back; cancelling twice is harmless.

    Raises:
        ApiError: ``visit_not_found`` (404).
    """
    visit = find_visit(session=session, reference=reference, phone=phone)
    if visit.status != "booked":
        return visit
    changed = session.execute(
        update(EldercareVisit)
        .where(EldercareVisit.id == visit.id, EldercareVisit.status == "booked")
        .values(status="cancelled", cancelled_at=now or dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    if rowcount(changed) == 1:
        key = {
            "facility_id": visit.facility_id,
            "visit_date": visit.visit_date,
            "half_day": visit.half_day,
        }
        places.release_place(session, EldercareVisitSlot, key)
    session.commit()
    session.refresh(visit)
    return visit


def visits_on(*, session: Session, code: str, visit_date: dt.date) -> list[EldercareVisit]:
    """The visits of one facility on one day (cancelled ones too), morning first.

    Raises:
        ApiError: ``facility_not_found`` (404).
    """
    facility = get_facility(session=session, code=code)
    return list(
        session.scalars(
            select(EldercareVisit)
            .where(
                EldercareVisit.facility_id == facility.id,
                EldercareVisit.visit_date == visit_date,
            )
            .order_by(EldercareVisit.half_day, EldercareVisit.reference)
        )
    )


def _in_window(visit_date: dt.date, today: dt.date) -> bool:
    """From tomorrow up to `VISIT_WINDOW_DAYS` ahead."""
    return today < visit_date <= today + dt.timedelta(days=VISIT_WINDOW_DAYS)


def _live_visit(
    session: Session, facility_id: int, visit_date: dt.date, half_day: str, phone: str
) -> EldercareVisit | None:
    return session.scalar(
        select(EldercareVisit).where(
            EldercareVisit.facility_id == facility_id,
            EldercareVisit.visit_date == visit_date,
            EldercareVisit.half_day == half_day,
            EldercareVisit.phone == phone,
            EldercareVisit.status == "booked",
        )
    )


def _next_reference(session: Session, day: dt.date) -> str:
    """YL-YYYYMMDD-NNNN: the visit day and a per-day counter (inside the transaction)."""
    return format_reference(
        REFERENCE_PREFIX, day, next_number(session, EldercareReferenceCounter, day=day)
    )
