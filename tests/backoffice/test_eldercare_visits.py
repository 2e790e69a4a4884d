"""Visit bookings (参观预约): window, capacity, references, idempotency, cancel, races."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import make_engine
from backoffice.records.eldercare.facilities import upsert_facilities
from backoffice.records.eldercare.models import EldercareVisit, EldercareVisitSlot
from backoffice.records.eldercare.visits import book_visit, cancel_visit, visit_availability
from core.errors import ApiError
from tests.backoffice.racing import at_once
from tests.backoffice.test_eldercare_search import facility
from zhtext.city_time import city_today

TODAY = city_today()
DAY = TODAY + dt.timedelta(days=3)


@pytest.fixture
def home(session: Session) -> Session:
    upsert_facilities(
        session=session,
        rows=[
            facility("home", visit_capacity=2),
            facility("canteen", kind="canteen", visit_capacity=0),
        ],
    )
    return session


def book(session: Session, phone: str = "13812345678", **overrides: Any) -> EldercareVisit:
    values: dict[str, object] = {
        "facility_code": "home",
        "visit_date": DAY,
        "half_day": "am",
        "visitor_name": "张丽",
        "phone": phone,
        "today": TODAY,
    }
    values.update(overrides)
    visit, _created = book_visit(session=session, **values)  # type: ignore[arg-type]
    return visit


def test_booking_gives_a_reference_and_takes_a_place(home: Session) -> None:
    visit = book(home)
    assert visit.reference == f"YL-{DAY:%Y%m%d}-0001"
    assert visit.status == "booked"
    second = book(home, phone="13900001111")
    assert second.reference == f"YL-{DAY:%Y%m%d}-0002"
    availability = visit_availability(session=home, code="home", visit_date=DAY, today=TODAY)
    assert (availability.am, availability.pm) == (0, 2)


def test_the_half_day_is_full_after_capacity(home: Session) -> None:
    book(home, phone="13800000001")
    book(home, phone="13800000002")
    with pytest.raises(ApiError) as raised:
        book(home, phone="13800000003")
    assert (raised.value.code, raised.value.status_code) == ("slot_full", 409)
    # the afternoon still has places
    assert book(home, phone="13800000003", half_day="pm").half_day == "pm"


def test_the_same_booking_twice_returns_the_first(home: Session) -> None:
    first, created = book_visit(
        session=home, facility_code="home", visit_date=DAY, half_day="am",
        visitor_name="张丽", phone="138 1234 5678", today=TODAY,
    )  # fmt: skip
    again, created_again = book_visit(
        session=home, facility_code="home", visit_date=DAY, half_day="am",
        visitor_name="张丽", phone="+86 13812345678", today=TODAY,
    )  # fmt: skip
    assert created and not created_again
    assert again.reference == first.reference
    assert home.scalar(select(EldercareVisitSlot.booked)) == 1


@pytest.mark.parametrize("days", [0, -1, 31, 400])
def test_dates_outside_tomorrow_to_thirty_days_are_refused(home: Session, days: int) -> None:
    with pytest.raises(ApiError) as raised:
        book(home, visit_date=TODAY + dt.timedelta(days=days))
    assert raised.value.code == "date_out_of_window"


def test_the_last_day_of_the_window_is_accepted(home: Session) -> None:
    assert book(home, visit_date=TODAY + dt.timedelta(days=30)).status == "booked"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"facility_code": "nowhere"}, "facility_not_found"),
        ({"facility_code": "canteen"}, "visits_not_offered"),
        ({"phone": "12345"}, "invalid_phone"),
    ],
)
def test_bad_bookings_are_refused(home: Session, overrides: dict[str, str], code: str) -> None:
    with pytest.raises(ApiError) as raised:
        book(home, **overrides)
    assert raised.value.code == code


def test_cancel_frees_the_place_and_is_idempotent(home: Session) -> None:
    visit = book(home)
    book(home, phone="13900001111")
    cancelled = cancel_visit(session=home, reference=visit.reference, phone="13812345678")
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at is not None
    again = cancel_visit(session=home, reference=visit.reference.lower(), phone="13812345678")
    assert again.status == "cancelled"
    assert home.scalar(select(EldercareVisitSlot.booked)) == 1
    # the freed place can be booked again, with a new reference
    rebooked = book(home, phone="13700002222")
    assert rebooked.reference == f"YL-{DAY:%Y%m%d}-0003"


def test_cancel_needs_the_right_phone(home: Session) -> None:
    visit = book(home)
    with pytest.raises(ApiError) as raised:
        cancel_visit(session=home, reference=visit.reference, phone="13900001111")
    assert (raised.value.code, raised.value.status_code) == ("visit_not_found", 404)
    with pytest.raises(ApiError):
        cancel_visit(session=home, reference="YL-20990101-0001", phone="13812345678")


def test_concurrent_bookings_never_exceed_capacity(database_url: str, home: Session) -> None:
    """Twelve families press 确认 at once for two places: exactly two get one."""
    engine = make_engine(database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def attempt(number: int, session: Session) -> str:
        try:
            book_visit(
                session=session, facility_code="home", visit_date=DAY, half_day="am",
                visitor_name="张丽", phone=f"1380000{number:04d}", today=TODAY,
            )  # fmt: skip
        except ApiError as error:
            return error.code
        return "booked"

    outcomes = Counter(at_once(factory, [partial(attempt, n) for n in range(12)]))
    engine.dispose()

    assert outcomes == Counter({"booked": 2, "slot_full": 10})
    home.expire_all()
    assert home.scalar(select(func.count()).select_from(EldercareVisit)) == 2
    assert home.scalar(select(EldercareVisitSlot.booked)) == 2
    references = set(home.scalars(select(EldercareVisit.reference)))
    assert references == {f"YL-{DAY:%Y%m%d}-0001", f"YL-{DAY:%Y%m%d}-0002"}


def test_concurrent_identical_requests_make_one_booking(database_url: str, home: Session) -> None:
    """A double click: the same phone twice at once gives one booking, not two."""
    engine = make_engine(database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def attempt(session: Session) -> str:
        visit, _ = book_visit(
            session=session, facility_code="home", visit_date=DAY, half_day="pm",
            visitor_name="张丽", phone="13812345678", today=TODAY,
        )  # fmt: skip
        return visit.reference

    references = at_once(factory, [attempt] * 6)
    engine.dispose()

    assert len(references) == 6
    assert len(set(references)) == 1
    home.expire_all()
    assert home.scalar(select(func.count()).select_from(EldercareVisit)) == 1
