"""The writes that keep bookings safe under concurrency: half-day places and day claims.

A place is taken with a conditional UPDATE (`booked < capacity`, row count checked); "one person,
one active booking per day" is the unique constraint on `MarriagePersonDay`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.records import places
from backoffice.records.marriage.identity import person_key
from backoffice.records.marriage.models import MarriageBooking, MarriagePersonDay, MarriageSlot
from backoffice.records.marriage.refusals import refusal


def take_place(
    *, session: Session, office_id: int, day: dt.date, half_day: str, capacity: int
) -> None:
    """Take one place in a half-day, creating its row on first use.

    Raises:
        ApiError: `slot_full` (409) when no place is left.
    """
    key = {"office_id": office_id, "day": day, "half_day": half_day}
    if not places.take_place(session, MarriageSlot, key, capacity=capacity):
        raise refusal("slot_full", 409)


def release_place(*, session: Session, office_id: int, day: dt.date, half_day: str) -> None:
    """Give one place of a half-day back."""
    key = {"office_id": office_id, "day": day, "half_day": half_day}
    places.release_place(session, MarriageSlot, key)


def claim_days(*, session: Session, booking: MarriageBooking) -> None:
    """Claim the day for both parties; a party already booked that day fails the booking.

    Raises:
        ApiError: `person_busy` (409).
    """
    for number in (booking.party1_id_number, booking.party2_id_number):
        session.add(
            MarriagePersonDay(person_key=person_key(number), day=booking.day, booking_id=booking.id)
        )
    try:
        session.flush()
    except IntegrityError as error:
        raise refusal("person_busy", 409) from error


def release_days(*, session: Session, booking_id: int) -> None:
    """Free the parties' day claims of a booking."""
    session.execute(delete(MarriagePersonDay).where(MarriagePersonDay.booking_id == booking_id))
