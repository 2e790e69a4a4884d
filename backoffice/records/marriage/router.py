"""HTTP routes for marriage-registration booking (`/api/marriage`).

Refusals are `{"error": {"code", "message"}}` with a 4xx status; personal data is masked in every
response.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.orm import Session

from backoffice.db import DbSession
from backoffice.lookup_guard import guarded_lookup
from backoffice.records.marriage import availability, booking_lookup, bookings, mapping, offices
from backoffice.records.marriage.bookable import check_day
from backoffice.records.marriage.models import MarriageBooking
from backoffice.records.marriage.policy import HalfDay, MarriagePolicy, get_policy
from backoffice.records.marriage.schemas import (
    AttendanceIn,
    AvailabilityOut,
    BookingCreate,
    BookingOut,
    DayCheckOut,
    LookupRequest,
    OfficeOut,
    RescheduleRequest,
    Verification,
)
from backoffice.records.routes import Today, caller_routers, phone_key, refusals

router = APIRouter(prefix="/api/marriage", tags=["marriage"])
service_router, staff_router = caller_routers()

Policy = Annotated[MarriagePolicy, Depends(get_policy)]
ERRORS = refusals(404, 409, 422, 429)


def _lookup_keys(reference: str, proof: Verification) -> tuple[str, ...]:
    """Attempt-limit keys of a citizen's look-up (backoffice/lookup_guard).

    The reference, and the phone when one is given. An ID's last 4 is no key: thousands of
    people share it.
    """
    keys = [f"marriage:reference:{booking_lookup.normalise_reference(reference)}"]
    if proof.phone:
        keys.append(f"marriage:phone:{phone_key(proof.phone)}")
    return tuple(keys)


def _guarded(
    session: Session,
    reference: str,
    proof: Verification,
    attempt: Callable[..., MarriageBooking],
    **more: Any,
) -> MarriageBooking:
    """Run a look-up proved by the reference plus a phone or an ID's last 4, under the limit.

    `attempt` is called with the session, the reference, the proof and `more`. A wrong proof
    and an unknown reference both answer `not_found`, counted in the guard's window; after too
    many of them every look-up of that reference answers 429 until the window has moved on.
    """
    return guarded_lookup(
        _lookup_keys(reference, proof),
        lambda: attempt(
            session=session,
            reference=reference,
            phone=proof.phone,
            id_last4=proof.id_last4,
            **more,
        ),
        is_miss=lambda error: error.code == "not_found",
    )


@service_router.get("/offices", response_model=list[OfficeOut])
def get_offices(session: DbSession) -> list[OfficeOut]:
    """All registration offices, the municipal one first."""
    return [mapping.office_out(o) for o in offices.list_offices(session=session)]


@service_router.get("/policy", response_model=MarriagePolicy)
def get_booking_policy(policy: Policy) -> MarriagePolicy:
    """The booking rules (window, legal age, documents per business) with their sources."""
    return policy


@service_router.get("/calendar", response_model=DayCheckOut)
def get_day(day: dt.date, policy: Policy, today: Today) -> DayCheckOut:
    """Whether `day` can be booked, and the next bookable days."""
    check = check_day(day, today=today, window=policy.booking_window)
    return mapping.day_out(check, policy, today)


@service_router.get(
    "/offices/{office_code}/availability",
    response_model=AvailabilityOut,
    responses=ERRORS,
)
def get_availability(
    office_code: str,
    day: dt.date,
    session: DbSession,
    policy: Policy,
    today: Today,
    half_day: HalfDay | None = None,
    city_only: bool = False,
) -> AvailabilityOut:
    """Places left on a half-day; the nearest free half-days and other offices when full."""
    found = availability.availability(
        session=session,
        policy=policy,
        office_code=office_code,
        day=day,
        half_day=half_day,
        today=today,
        needs_city_office=city_only,
    )
    return mapping.availability_out(found, policy, today)


@service_router.post("/bookings", response_model=BookingOut, status_code=201, responses=ERRORS)
def post_booking(
    body: BookingCreate, session: DbSession, policy: Policy, today: Today, response: Response
) -> BookingOut:
    """Book a half-day for a couple (201); the same request again returns that booking (200)."""
    booking, created = bookings.create_booking(
        session=session, policy=policy, request=body, today=today
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return mapping.booking_out(booking, policy)


@service_router.post("/bookings/lookup", response_model=BookingOut, responses=ERRORS)
def post_lookup(body: LookupRequest, session: DbSession, policy: Policy) -> BookingOut:
    """Find a booking by reference plus the phone or the last 4 characters of an ID number."""
    found = _guarded(session, body.reference, body, booking_lookup.find_booking)
    return mapping.booking_out(found, policy)


@service_router.post(
    "/bookings/{reference}/reschedule", response_model=BookingOut, responses=ERRORS
)
def post_reschedule(
    reference: str, body: RescheduleRequest, session: DbSession, policy: Policy, today: Today
) -> BookingOut:
    """Move a booking to another half-day (and office)."""
    moved = _guarded(
        session,
        reference,
        body,
        bookings.reschedule_booking,
        policy=policy,
        day=body.day,
        half_day=body.half_day,
        office_code=body.office_code,
        today=today,
    )
    return mapping.booking_out(moved, policy)


@service_router.post("/bookings/{reference}/cancel", response_model=BookingOut, responses=ERRORS)
def post_cancel(
    reference: str, body: Verification, session: DbSession, policy: Policy, today: Today
) -> BookingOut:
    """Cancel a booking (cancelling twice is harmless; a day that has passed cannot be)."""
    cancelled = _guarded(session, reference, body, bookings.cancel_booking, today=today)
    return mapping.booking_out(cancelled, policy)


@staff_router.get("/bookings/{reference}", response_model=BookingOut, responses=ERRORS)
def get_staff_booking(reference: str, session: DbSession, policy: Policy) -> BookingOut:
    """A booking by its reference alone, for logged-in hotline and registry staff (masked).

    Staff verify the caller by other means (on the phone); the citizen's attempt limit does not
    apply here, so a citizen locked out by someone else's guesses can still be helped.
    """
    booking = booking_lookup.staff_find_booking(session=session, reference=reference)
    return mapping.booking_out(booking, policy)


@staff_router.post("/bookings/{reference}/attendance", response_model=BookingOut, responses=ERRORS)
def post_attendance(
    reference: str, body: AttendanceIn, session: DbSession, policy: Policy, today: Today
) -> BookingOut:
    """Registry staff record that the couple came (`attended`) or did not (`no_show`)."""
    booking = bookings.record_attendance(
        session=session, reference=reference, status=body.status, today=today
    )
    return mapping.booking_out(booking, policy)


router.include_router(service_router)
router.include_router(staff_router)
