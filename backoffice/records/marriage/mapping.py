"""Records and checks → the API's schemas (used by the routes); personal data is masked here."""

from __future__ import annotations

import datetime as dt

from backoffice.records.marriage.availability import Availability, HalfDayPlace
from backoffice.records.marriage.bookable import DayCheck, bookable_days
from backoffice.records.marriage.models import MarriageBooking, MarriageOffice
from backoffice.records.marriage.policy import MarriagePolicy
from backoffice.records.marriage.schemas import (
    AvailabilityOut,
    BookingOut,
    DayCheckOut,
    HalfDayOut,
    OfficeOut,
)
from zhtext.holidays import day_status, holiday_name
from zhtext.idcard import mask_id_number, mask_name, mask_phone

NEXT_DAYS_SHOWN = 5


def office_out(office: MarriageOffice) -> OfficeOut:
    """A registration office as the API returns it."""
    return OfficeOut.model_validate(office)


def day_out(check: DayCheck, policy: MarriagePolicy, today: dt.date) -> DayCheckOut:
    """Whether a day can be booked, the window, and the next bookable days after it."""
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


def availability_out(
    found: Availability, policy: MarriagePolicy, today: dt.date
) -> AvailabilityOut:
    """Places left on the half-day asked for, and the nearest alternatives."""
    return AvailabilityOut(
        day=day_out(found.day, policy, today),
        requested=_place_out(found.requested) if found.requested else None,
        same_office=[_place_out(p) for p in found.same_office],
        other_offices=[_place_out(p) for p in found.other_offices],
    )


def booking_out(booking: MarriageBooking, policy: MarriagePolicy) -> BookingOut:
    """A booking for its owner, with names, ID numbers and phone masked."""
    return BookingOut.model_validate(
        {
            "reference": booking.reference,
            "booking_type": booking.booking_type,
            "booking_type_label": policy.booking_types[booking.booking_type].label,  # type: ignore[index]
            "status": booking.status,
            "office": office_out(booking.office),
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


def _place_out(place: HalfDayPlace) -> HalfDayOut:
    return HalfDayOut(
        office_code=place.office.code,
        office_name=place.office.name,
        day=place.day,
        half_day=place.half_day,
        remaining=place.remaining,
        is_estimate=place.is_estimate,
    )
