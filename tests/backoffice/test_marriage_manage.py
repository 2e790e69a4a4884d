"""A marriage booking after it is made: lookups, reschedule, cancel, attendance, days passed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.records.marriage import booking_lookup, bookings
from backoffice.records.marriage.models import MarriageBooking, MarriagePersonDay, MarriageSlot
from backoffice.records.marriage.policy import MarriagePolicy
from core.errors import ApiError
from tests.backoffice.marriage_support import TODAY, book, bookable
from tests.backoffice.marriage_support import policy as policy
from tests.backoffice.marriage_support import seeded as seeded


def test_a_reference_alone_finds_nothing(seeded: Session, policy: MarriagePolicy) -> None:
    booking = book(seeded, policy)
    for phone, last4 in ((None, None), ("13900000000", None), (None, "0000")):
        with pytest.raises(ApiError) as refused:
            booking_lookup.find_booking(
                session=seeded, reference=booking.reference, phone=phone, id_last4=last4
            )
        assert refused.value.code == "not_found"
    with pytest.raises(ApiError) as unknown:
        booking_lookup.find_booking(
            session=seeded, reference="HY-20990101-0001", phone="13812345678"
        )
    assert unknown.value.code == "not_found"
    by_phone = booking_lookup.find_booking(
        session=seeded, reference=booking.reference.lower().replace("-", " "), phone="138 1234 5678"
    )
    assert by_phone.id == booking.id
    last4 = booking.party2_id_number[-4:]
    assert booking_lookup.find_booking(session=seeded, reference=booking.reference, id_last4=last4)


def test_wrong_answers_never_lock_the_booking_in_the_service(
    seeded: Session, policy: MarriagePolicy
) -> None:
    # The attempt limit is the routes' (per time window, see the API tests): the service itself
    # keeps no counter a stranger could use to lock the owner out for good.
    booking = book(seeded, policy)
    for _ in range(20):
        with pytest.raises(ApiError) as refused:
            booking_lookup.find_booking(
                session=seeded, reference=booking.reference, id_last4="9999"
            )
        assert refused.value.code == "not_found"
    found = booking_lookup.find_booking(
        session=seeded, reference=booking.reference, phone="13812345678"
    )
    assert found.id == booking.id


def test_reschedule_moves_the_place_and_cancel_gives_it_back(
    seeded: Session, policy: MarriagePolicy
) -> None:
    booking = book(seeded, policy, day=bookable(1))
    moved = bookings.reschedule_booking(
        session=seeded,
        policy=policy,
        reference=booking.reference,
        phone="13812345678",
        id_last4=None,
        day=bookable(5),
        half_day="pm",
        office_code="gongshu",
        today=TODAY,
    )
    assert (moved.day, moved.half_day, moved.office.code) == (bookable(5), "pm", "gongshu")
    assert moved.reference == booking.reference
    assert [e.status for e in moved.events] == ["booked", "rescheduled"]
    rows = seeded.execute(
        select(MarriageSlot.day, func.sum(MarriageSlot.booked)).group_by("day")
    ).all()
    counts = {day: booked for day, booked in rows}
    assert counts == {bookable(1): 0, bookable(5): 1}
    claims = seeded.scalars(select(MarriagePersonDay.day)).all()
    assert set(claims) == {bookable(5)}

    with pytest.raises(ApiError) as same:
        bookings.reschedule_booking(
            session=seeded,
            policy=policy,
            reference=booking.reference,
            phone="13812345678",
            id_last4=None,
            day=bookable(5),
            half_day="pm",
            office_code="gongshu",
            today=TODAY,
        )
    assert same.value.code == "same_slot"

    cancelled = bookings.cancel_booking(
        session=seeded,
        reference=booking.reference,
        phone=None,
        id_last4=moved.party1_id_number[-4:],
        today=TODAY,
    )
    assert cancelled.status == "cancelled"
    again = bookings.cancel_booking(
        session=seeded, reference=booking.reference, phone="13812345678", id_last4=None, today=TODAY
    )
    assert again.status == "cancelled"
    assert [e.status for e in again.events] == ["booked", "rescheduled", "cancelled"]
    assert seeded.scalar(select(func.sum(MarriageSlot.booked))) == 0
    assert seeded.scalars(select(MarriagePersonDay)).all() == []
    with pytest.raises(ApiError) as closed:
        bookings.reschedule_booking(
            session=seeded,
            policy=policy,
            reference=booking.reference,
            phone="13812345678",
            id_last4=None,
            day=bookable(6),
            half_day="am",
            office_code=None,
            today=TODAY,
        )
    assert closed.value.code == "not_active"


def test_staff_record_attendance_and_no_show(seeded: Session, policy: MarriagePolicy) -> None:
    came = book(seeded, policy)
    stayed_away = book(seeded, policy, half_day="pm")
    on_the_day, day_after = came.day, came.day + dt.timedelta(days=1)
    assert (
        bookings.record_attendance(
            session=seeded, reference=came.reference, status="attended", today=on_the_day
        ).status
        == "attended"
    )
    assert (
        bookings.record_attendance(
            session=seeded, reference=stayed_away.reference, status="no_show", today=day_after
        ).status
        == "no_show"
    )
    with pytest.raises(ApiError) as closed:
        bookings.cancel_booking(
            session=seeded,
            reference=came.reference,
            phone="13812345678",
            id_last4=None,
            today=TODAY,
        )
    assert closed.value.code == "not_active"


def test_attendance_is_not_recorded_before_the_day(seeded: Session, policy: MarriagePolicy) -> None:
    booking = book(seeded, policy)
    with pytest.raises(ApiError) as early:
        bookings.record_attendance(
            session=seeded,
            reference=booking.reference,
            status="no_show",
            today=booking.day - dt.timedelta(days=1),
        )
    assert (early.value.code, early.value.status_code) == ("attendance_too_early", 409)
    seeded.expire_all()
    stored = seeded.get_one(MarriageBooking, booking.id)
    assert stored.status == "booked"


def test_a_booking_whose_day_has_passed_cannot_be_cancelled(
    seeded: Session, policy: MarriagePolicy
) -> None:
    booking = book(seeded, policy)
    with pytest.raises(ApiError) as late:
        bookings.cancel_booking(
            session=seeded,
            reference=booking.reference,
            phone="13812345678",
            id_last4=None,
            today=booking.day + dt.timedelta(days=1),
        )
    assert (late.value.code, late.value.status_code) == ("cancel_too_late", 409)
    seeded.expire_all()
    assert seeded.get_one(MarriageBooking, booking.id).status == "booked"
    # on the day itself it can still be cancelled (the couple cannot come after all)
    cancelled = bookings.cancel_booking(
        session=seeded,
        reference=booking.reference,
        phone="13812345678",
        id_last4=None,
        today=booking.day,
    )
    assert cancelled.status == "cancelled"
