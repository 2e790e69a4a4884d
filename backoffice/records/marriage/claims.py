"""The writes that keep bookings safe under concurrency: half-day places and day claims.

A place is taken with a conditional UPDATE (`booked < capacity`, row count checked); "one person,
one active booking per day" is the unique constraint on `MarriagePersonDay`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.db import insert_ignore, rowcount
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
    if rowcount(taken) != 1:
        raise refusal("slot_full", 409)


def release_place(*, session: Session, office_id: int, day: dt.date, half_day: str) -> None:
    """Give one place of a half-day back."""
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
