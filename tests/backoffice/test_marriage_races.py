"""Marriage bookings racing: the same request again or at once, fifty for the last place."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import make_engine
from backoffice.records.marriage import bookings
from backoffice.records.marriage.models import MarriageBooking, MarriageSlot
from backoffice.records.marriage.policy import MarriagePolicy
from backoffice.records.marriage.schemas import BookingCreate
from core.errors import ApiError
from tests.backoffice.marriage_support import TODAY, book, bookable, request, set_capacity
from tests.backoffice.marriage_support import policy as policy
from tests.backoffice.marriage_support import seeded as seeded
from tests.backoffice.racing import at_once


@pytest.fixture
def session_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def test_the_same_request_sent_again_is_booked_once(
    seeded: Session, policy: MarriagePolicy, session_factory: sessionmaker[Session]
) -> None:
    """确认 pressed twice, or retried after an error: the stored booking, not a refusal."""
    set_capacity(seeded, "xihu", 1)  # the repeat must not be refused as "full" either
    body = request(day=bookable(5))
    first, created = bookings.create_booking(
        session=seeded, policy=policy, request=body, today=TODAY
    )
    again, created_again = bookings.create_booking(
        session=seeded, policy=policy, request=body, today=TODAY
    )
    assert (created, created_again) == (True, False)
    assert again.reference == first.reference
    seeded.expire_all()
    assert (
        bookings.count_active_on(session=seeded, office_code="xihu", day=body.day, half_day="am")
        == 1
    )
    # what differs is a different request: another phone is refused as before
    with pytest.raises(ApiError) as refused:
        bookings.create_booking(
            session=seeded,
            policy=policy,
            request=body.model_copy(update={"phone": "13900001111"}),
            today=TODAY,
        )
    assert refused.value.code in ("slot_full", "person_busy")


def test_the_same_request_racing_with_itself_is_booked_once(
    seeded: Session, policy: MarriagePolicy, session_factory: sessionmaker[Session]
) -> None:
    """Ten copies of one request at once: every sender is told the one stored reference."""
    body = request(day=bookable(6))

    def attempt(own_session: Session) -> str:
        booking, _ = bookings.create_booking(
            session=own_session, policy=policy, request=body, today=TODAY
        )
        return booking.reference

    references = at_once(session_factory, [attempt] * 10)
    assert len(references) == 10 and len(set(references)) == 1
    seeded.expire_all()
    assert (
        bookings.count_active_on(session=seeded, office_code="xihu", day=body.day, half_day="am")
        == 1
    )


def test_fifty_requests_racing_for_the_last_place_leave_exactly_one_winner(
    seeded: Session, policy: MarriagePolicy, session_factory: sessionmaker[Session]
) -> None:
    set_capacity(seeded, "xihu", 3)
    day = bookable(4)
    book(seeded, policy, day=day)
    book(seeded, policy, day=day)

    def attempt(body: BookingCreate, own_session: Session) -> str:
        try:
            bookings.create_booking(session=own_session, policy=policy, request=body, today=TODAY)
        except ApiError as error:
            return error.code
        return "booked"

    outcomes = at_once(session_factory, [partial(attempt, request(day=day)) for _ in range(50)])
    assert sorted(set(outcomes)) == ["booked", "slot_full"]
    assert outcomes.count("booked") == 1
    assert outcomes.count("slot_full") == 49
    seeded.expire_all()
    assert bookings.count_active_on(session=seeded, office_code="xihu", day=day, half_day="am") == 3
    slot = seeded.scalar(select(MarriageSlot).where(MarriageSlot.day == day))
    assert slot is not None and slot.booked == 3
    references = seeded.scalars(select(MarriageBooking.reference)).all()
    assert len(set(references)) == 3
