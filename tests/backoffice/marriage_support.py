"""Shared pieces of the marriage back office tests: ID numbers, requests, bookings, capacity.

Every date is computed from today's date (or found by scanning the holiday calendar from it), so
the tests keep working on any day CI runs them. The test modules import the fixtures as
`seeded as seeded` (and so on): pytest finds them in the module, and the alias tells ruff they
are meant to be there.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from backoffice.records.marriage import bookings
from backoffice.records.marriage.bookable import bookable_days
from backoffice.records.marriage.models import MarriageBooking, MarriageOffice
from backoffice.records.marriage.policy import MarriagePolicy, get_policy
from backoffice.records.marriage.schemas import BookingCreate, PersonIn
from backoffice.records.marriage.seed import seed
from zhtext.city_time import city_today
from zhtext.idcard import check_digit

TODAY = city_today()

_SEQUENCE = itertools.count(100)


def make_id(*, male: bool, age: int = 30, region: str = "330106") -> str:
    """A valid resident ID number for someone `age` years old today."""
    birth = dt.date(TODAY.year - age, 3, 15)
    sequence = next(_SEQUENCE) % 1000
    if (sequence % 2 == 1) != male:
        sequence = (sequence + 1) % 1000
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def couple(**overrides: object) -> dict[str, object]:
    return {
        "party1": PersonIn(name="张伟", id_number=make_id(male=True)),
        "party2": PersonIn(name="李娜", id_number=make_id(male=False)),
        **overrides,
    }


def bookable(offset: int = 0) -> dt.date:
    """The `offset`-th bookable day of the current window."""
    return bookable_days(today=TODAY, window=get_policy().booking_window)[offset].day


def request(**fields: object) -> BookingCreate:
    values: dict[str, object] = {
        "booking_type": "marriage",
        "office_code": "xihu",
        "day": bookable(),
        "half_day": "am",
        "phone": "13812345678",
        **couple(),
    }
    values.update(fields)
    return BookingCreate.model_validate(values)


@pytest.fixture
def policy() -> MarriagePolicy:
    return get_policy()


@pytest.fixture
def seeded(session: Session) -> Session:
    seed(session)
    return session


def book(session: Session, policy: MarriagePolicy, **fields: object) -> MarriageBooking:
    booking, created = bookings.create_booking(
        session=session, policy=policy, request=request(**fields), today=TODAY
    )
    assert created
    return booking


def set_capacity(session: Session, office_code: str, capacity: int) -> None:
    session.execute(
        update(MarriageOffice)
        .where(MarriageOffice.code == office_code)
        .values(capacity_am=capacity, capacity_pm=capacity)
    )
    session.commit()
