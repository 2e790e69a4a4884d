"""HTTP routes for marriage-registration booking (`/api/marriage`).

Refusals are `{"error": {"code", "message"}}` with a 4xx status; personal data is masked in every
response.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status

from backoffice.db import DbSession
from backoffice.lookup_guard import guarded_lookup
from backoffice.records.marriage import availability, booking_lookup, bookings, offices
from backoffice.records.marriage.bookable import DayCheck, bookable_days, check_day
from backoffice.records.marriage.models import MarriageBooking
from backoffice.records.marriage.policy import HalfDay, MarriagePolicy, get_policy
from backoffice.records.marriage.schemas import (
    AttendanceIn,
    AvailabilityOut,
    BookingCreate,
    BookingOut,
    DayCheckOut,
    HalfDayOut,
    LookupRequest,
    OfficeOut,
    RescheduleRequest,
    Verification,
)
from backoffice.service_auth import ServiceOnly
from backoffice.staff.access import require_staff
from zhtext.city_time import city_today
from zhtext.holidays import day_status, holiday_name
from zhtext.idcard import mask_id_number, mask_name, mask_phone
from zhtext.phone import parse_phone

router = APIRouter(prefix="/api/marriage", tags=["marriage"])
# What the action server calls (service token) and what registry staff call (staff login).
service_router = APIRouter(dependencies=[ServiceOnly])
staff_router = APIRouter(prefix="/staff", dependencies=[Depends(require_staff)])

NEXT_DAYS_SHOWN = 5

Policy = Annotated[MarriagePolicy, Depends(get_policy)]
Today = Annotated[dt.date, Depends(city_today)]
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": "refused, with a Chinese message"} for status in (404, 409, 422, 429)
}


def _lookup_keys(reference: str, proof: Verification) -> tuple[str, ...]:
    """Attempt-limit keys of a citizen's look-up (backoffice/lookup_guard).

    The reference, and the phone when one is given. An ID's last 4 is no key: thousands of
    people share it.
    """
    keys = [f"marriage:reference:{booking_lookup.normalise_reference(reference)}"]
    if proof.phone:
        keys.append(f"marriage:phone:{parse_phone(proof.phone).number or proof.phone.strip()}")
    return tuple(keys)


def _guarded(
    reference: str, proof: Verification, attempt: Callable[[], MarriageBooking]
) -> MarriageBooking:
    """Run a look-up that needs a proof, counting `not_found` answers in the guard's window.

    A wrong proof and an unknown reference both answer `not_found`; after too many of them in
    the window every look-up of that reference answers 429 until the window has moved on.
    """
    return guarded_lookup(
        _lookup_keys(reference, proof),
        attempt,
        is_miss=lambda error: error.code == "not_found",
    )


@service_router.get("/offices", response_model=list[OfficeOut])
def get_offices(session: DbSession) -> list[OfficeOut]:
    """All registration offices, the municipal one first."""
    return [OfficeOut.model_validate(o) for o in offices.list_offices(session=session)]


@service_router.get("/policy", response_model=MarriagePolicy)
def get_booking_policy(policy: Policy) -> MarriagePolicy:
    """The booking rules (window, legal age, documents per business) with their sources."""
    return policy


@service_router.get("/calendar", response_model=DayCheckOut)
def get_day(day: dt.date, policy: Policy, today: Today) -> DayCheckOut:
    """Whether `day` can be booked, and the next bookable days."""
    return _day_out(check_day(day, today=today, window=policy.booking_window), policy, today)


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
    return AvailabilityOut(
        day=_day_out(found.day, policy, today),
        requested=_place_out(found.requested) if found.requested else None,
        same_office=[_place_out(p) for p in found.same_office],
        other_offices=[_place_out(p) for p in found.other_offices],
    )


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
    return booking_out(booking, policy)


@service_router.post("/bookings/lookup", response_model=BookingOut, responses=ERRORS)
def post_lookup(body: LookupRequest, session: DbSession, policy: Policy) -> BookingOut:
    """Find a booking by reference plus the phone or the last 4 characters of an ID number."""
    found = _guarded(
        body.reference,
        body,
        lambda: booking_lookup.find_booking(
            session=session, reference=body.reference, phone=body.phone, id_last4=body.id_last4
        ),
    )
    return booking_out(found, policy)


@service_router.post(
    "/bookings/{reference}/reschedule", response_model=BookingOut, responses=ERRORS
)
def post_reschedule(
    reference: str, body: RescheduleRequest, session: DbSession, policy: Policy, today: Today
) -> BookingOut:
    """Move a booking to another half-day (and office)."""
    moved = _guarded(
        reference,
        body,
        lambda: bookings.reschedule_booking(
            session=session,
            policy=policy,
            reference=reference,
            phone=body.phone,
            id_last4=body.id_last4,
            day=body.day,
            half_day=body.half_day,
            office_code=body.office_code,
            today=today,
        ),
    )
    return booking_out(moved, policy)


@service_router.post("/bookings/{reference}/cancel", response_model=BookingOut, responses=ERRORS)
def post_cancel(
    reference: str, body: Verification, session: DbSession, policy: Policy, today: Today
) -> BookingOut:
    """Cancel a booking (cancelling twice is harmless; a day that has passed cannot be)."""
    cancelled = _guarded(
        reference,
        body,
        lambda: bookings.cancel_booking(
            session=session,
            reference=reference,
            phone=body.phone,
            id_last4=body.id_last4,
            today=today,
        ),
    )
    return booking_out(cancelled, policy)


@staff_router.get("/bookings/{reference}", response_model=BookingOut, responses=ERRORS)
def get_staff_booking(reference: str, session: DbSession, policy: Policy) -> BookingOut:
    """A booking by its reference alone, for logged-in hotline and registry staff (masked).

    Staff verify the caller by other means (on the phone); the citizen's attempt limit does not
    apply here, so a citizen locked out by someone else's guesses can still be helped.
    """
    booking = booking_lookup.staff_find_booking(session=session, reference=reference)
    return booking_out(booking, policy)


@staff_router.post("/bookings/{reference}/attendance", response_model=BookingOut, responses=ERRORS)
def post_attendance(
    reference: str, body: AttendanceIn, session: DbSession, policy: Policy, today: Today
) -> BookingOut:
    """Registry staff record that the couple came (`attended`) or did not (`no_show`)."""
    booking = bookings.record_attendance(
        session=session, reference=reference, status=body.status, today=today
    )
    return booking_out(booking, policy)


def booking_out(booking: MarriageBooking, policy: MarriagePolicy) -> BookingOut:
    """A booking for its owner, with names, ID numbers and phone masked."""
    return BookingOut.model_validate(
        {
            "reference": booking.reference,
            "booking_type": booking.booking_type,
            "booking_type_label": policy.booking_types[booking.booking_type].label,  # type: ignore[index]
            "status": booking.status,
            "office": OfficeOut.model_validate(booking.office),
            "day": booking.day,
            "half_day": booking.half_day,
            "day_is_estimate": day_status(booking.day).is_estimate,
            "party1_name": mask_name(booking.party1_name),
            "party1_id_number": mask_id_number(booking.party1_id_number),
            "party2_name": mask_name(booking.party2_name),
            "party2_id_number": mask_id_number(booking.party2_id_number),
            "phone": mask_phone(booking.phone),
            "history": [
                {
                    "status": event.status,
                    "office_code": event.office.code,
                    "day": event.day,
                    "half_day": event.half_day,
                    "at": event.at,
                }
                for event in booking.events
            ],
        }
    )


def _day_out(check: DayCheck, policy: MarriagePolicy, today: dt.date) -> DayCheckOut:
    upcoming = [
        d.day for d in bookable_days(today=today, window=policy.booking_window) if d.day > check.day
    ]
    return DayCheckOut(
        day=check.day,
        bookable=check.bookable,
        reason=check.reason,
        is_estimate=check.is_estimate,
        holiday=check.holiday,
        holiday_name=holiday_name(check.holiday) if check.holiday else None,
        first_day=check.window.first,
        last_day=check.window.last,
        next_bookable_days=upcoming[:NEXT_DAYS_SHOWN],
    )


def _place_out(place: availability.HalfDayPlace) -> HalfDayOut:
    return HalfDayOut(
        office_code=place.office.code,
        office_name=place.office.name,
        day=place.day,
        half_day=place.half_day,
        remaining=place.remaining,
        is_estimate=place.is_estimate,
    )


router.include_router(service_router)
router.include_router(staff_router)
