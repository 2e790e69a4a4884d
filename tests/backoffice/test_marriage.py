"""Marriage booking back office: window and holidays, capacity race, double booking, lookups.

Every date is computed from today's date (or found by scanning the holiday calendar from it), so
the tests keep working on any day CI runs them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from functools import partial
from typing import cast

import chinese_calendar
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from backoffice import lookup_guard
from backoffice.db import get_session, make_engine
from backoffice.lookup_guard import LookupGuard
from backoffice.records.marriage import availability, booking_lookup, bookings, offices
from backoffice.records.marriage.bookable import bookable_days, booking_window, check_day
from backoffice.records.marriage.models import (
    MarriageBooking,
    MarriageOffice,
    MarriagePersonDay,
    MarriageSlot,
)
from backoffice.records.marriage.policy import MarriagePolicy, get_policy
from backoffice.records.marriage.router import router
from backoffice.records.marriage.schemas import BookingCreate, PersonIn
from backoffice.records.marriage.seed import seed
from backoffice.staff.access import require_staff
from core.errors import ApiError, install_error_handling
from tests.backoffice.racing import at_once
from tests.service_token import SERVICE_HEADERS
from zhtext.city_time import city_today
from zhtext.holidays import day_status
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


# ---------------------------------------------------------------- seed


def test_seed_creates_one_office_per_district_plus_the_city_office_idempotently(
    session: Session,
) -> None:
    seed(session)
    seed(session)
    listed = offices.list_offices(session=session)
    assert len(listed) == 14
    assert listed[0].level == "city"
    assert len({o.district_code for o in listed if o.level == "district"}) == 13
    assert all(o.address and o.phone and o.hours and o.capacity_am > 0 for o in listed)
    assert all(o.sample for o in listed), "unverified office data must stay marked as sample"


# ---------------------------------------------------------------- window and holidays


def _next_working_day_after(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not day_status(day).is_working_day:
        day += dt.timedelta(days=1)
    return day


def test_window_runs_from_the_next_working_day_to_30_days_ahead(policy: MarriagePolicy) -> None:
    window = booking_window(today=TODAY, window=policy.booking_window)
    assert window.first == _next_working_day_after(TODAY)
    assert window.last == TODAY + dt.timedelta(days=30)
    days = [d.day for d in bookable_days(today=TODAY, window=policy.booking_window)]
    assert days[0] == window.first
    assert all(window.first <= d <= window.last for d in days)
    assert all(day_status(d).is_working_day for d in days)


def test_today_past_and_beyond_the_horizon_are_refused(policy: MarriagePolicy) -> None:
    window = policy.booking_window
    assert check_day(TODAY, today=TODAY, window=window).reason == "past"
    assert check_day(TODAY - dt.timedelta(days=3), today=TODAY, window=window).reason == "past"
    far = TODAY + dt.timedelta(days=31)
    assert check_day(far, today=TODAY, window=window).reason == "too_far"


def test_a_weekday_holiday_is_not_bookable_but_named(policy: MarriagePolicy) -> None:
    holiday = next(
        TODAY + dt.timedelta(days=n)
        for n in range(1, 400)
        if (TODAY + dt.timedelta(days=n)).weekday() < 5
        and not day_status(TODAY + dt.timedelta(days=n)).is_working_day
    )
    seen_from = holiday - dt.timedelta(days=10)
    check = check_day(holiday, today=seen_from, window=policy.booking_window)
    assert check.reason == "not_working_day"
    assert check.holiday is not None


def test_a_weekend_worked_for_a_holiday_is_bookable(policy: MarriagePolicy) -> None:
    worked_weekend = next(
        TODAY - dt.timedelta(days=n)
        for n in range(1, 1200)
        if (TODAY - dt.timedelta(days=n)).weekday() >= 5
        and day_status(TODAY - dt.timedelta(days=n)).is_working_day
    )
    seen_from = worked_weekend - dt.timedelta(days=7)
    assert check_day(worked_weekend, today=seen_from, window=policy.booking_window).bookable
    plain_sunday = worked_weekend + dt.timedelta(days=(6 - worked_weekend.weekday()) or 7)
    if day_status(plain_sunday).is_working_day:
        plain_sunday += dt.timedelta(days=7)
    assert check_day(plain_sunday, today=seen_from, window=policy.booking_window).reason == (
        "not_working_day"
    )


def test_days_in_years_without_an_official_schedule_are_flagged_as_estimates(
    policy: MarriagePolicy,
) -> None:
    unknown_year = next(
        year
        for year in range(TODAY.year, TODAY.year + 20)
        if _unknown_to_package(dt.date(year, 6, 1))
    )
    seen_from = dt.date(unknown_year, 1, 10)
    days = bookable_days(today=seen_from, window=policy.booking_window)
    assert days, "the window must not be empty in a year the package does not know"
    assert all(d.is_estimate for d in days)
    known = bookable_days(today=TODAY, window=policy.booking_window)
    assert all(d.is_estimate == _unknown_to_package(d.day) for d in known)


def _unknown_to_package(day: dt.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return True
    return False


def test_booking_outside_the_window_is_refused_with_the_first_bookable_day(
    seeded: Session, policy: MarriagePolicy
) -> None:
    with pytest.raises(ApiError) as refused:
        book(seeded, policy, day=TODAY)
    assert refused.value.code == "day_past"
    with pytest.raises(ApiError) as refused:
        book(seeded, policy, day=TODAY + dt.timedelta(days=45))
    assert refused.value.code == "day_too_far"
    # A day off after the first bookable day (a weekend right after today is "too soon").
    upcoming = [TODAY + dt.timedelta(days=n) for n in range(1, 30)]
    third_working_day = [d for d in upcoming if day_status(d).is_working_day][2]
    saturday = next(
        d for d in upcoming if d > third_working_day and not day_status(d).is_working_day
    )
    with pytest.raises(ApiError) as refused:
        book(seeded, policy, day=saturday)
    assert refused.value.code == "day_not_working_day"


# ---------------------------------------------------------------- booking


def test_a_booking_has_a_readable_reference_and_a_history(
    seeded: Session, policy: MarriagePolicy
) -> None:
    day = bookable(1)
    first = book(seeded, policy, day=day)
    second = book(seeded, policy, day=day, half_day="pm")
    assert re.fullmatch(rf"HY-{day:%Y%m%d}-0001", first.reference)
    assert second.reference == f"HY-{day:%Y%m%d}-0002"
    assert first.status == "booked"
    assert [e.status for e in first.events] == ["booked"]
    slot = seeded.scalar(select(MarriageSlot).where(MarriageSlot.day == day))
    assert slot is not None and slot.booked == 1


def test_people_are_checked(seeded: Session, policy: MarriagePolicy) -> None:
    checks: dict[str, dict[str, object]] = {
        "invalid_id_number": couple(party1=PersonIn(name="张伟", id_number="330106199001011235")),
        "same_person": {
            "party1": PersonIn(name="张伟", id_number=(same := make_id(male=True))),
            "party2": PersonIn(name="张伟", id_number=same),
        },
        "underage": couple(party1=PersonIn(name="张伟", id_number=make_id(male=True, age=21))),
        "needs_city_office": couple(
            party2=PersonIn(name="Anna Smith", id_kind="passport", id_number="E12345678")
        ),
        "invalid_name": couple(party1=PersonIn(name="张3", id_number=make_id(male=True))),
    }
    for code, people in checks.items():
        with pytest.raises(ApiError) as refused:
            book(seeded, policy, **people)
        assert refused.value.code == code
    with pytest.raises(ApiError) as refused:
        book(seeded, policy, phone="12345")
    assert refused.value.code == "invalid_phone"


def test_age_counts_only_for_marriage_and_passports_go_to_the_city_office(
    seeded: Session, policy: MarriagePolicy
) -> None:
    young = couple(party2=PersonIn(name="李娜", id_number=make_id(male=False, age=19)))
    assert book(seeded, policy, booking_type="reissue", **young).status == "booked"
    foreign = couple(party2=PersonIn(name="Anna Smith", id_kind="passport", id_number="E1234567"))
    booking = book(seeded, policy, office_code="city", **foreign)
    assert booking.party2_id_kind == "passport"


def test_one_person_cannot_hold_two_active_bookings_on_the_same_day(
    seeded: Session, policy: MarriagePolicy
) -> None:
    day = bookable(2)
    groom = PersonIn(name="张伟", id_number=make_id(male=True))
    first = book(seeded, policy, day=day, party1=groom)
    other_bride = PersonIn(name="王芳", id_number=make_id(male=False))
    with pytest.raises(ApiError) as refused:
        book(seeded, policy, day=day, office_code="binjiang", party1=groom, party2=other_bride)
    assert refused.value.code == "person_busy"
    # the refused booking gave its place back
    binjiang = seeded.scalar(
        select(MarriageSlot).join(MarriageOffice).where(MarriageOffice.code == "binjiang")
    )
    assert binjiang is None or binjiang.booked == 0
    # another day is fine, and after cancelling the same day is free again
    book(seeded, policy, day=bookable(3), party1=groom)
    bookings.cancel_booking(
        session=seeded, reference=first.reference, phone="13812345678", id_last4=None, today=TODAY
    )
    assert book(seeded, policy, day=day, party1=groom, party2=other_bride).status == "booked"


def test_a_full_half_day_offers_the_nearest_free_half_days_and_other_offices(
    seeded: Session, policy: MarriagePolicy
) -> None:
    set_capacity(seeded, "xihu", 1)
    day = bookable(2)
    book(seeded, policy, day=day, half_day="am")
    with pytest.raises(ApiError) as refused:
        book(seeded, policy, day=day, half_day="am")
    assert refused.value.code == "slot_full"
    found = availability.availability(
        session=seeded, policy=policy, office_code="xihu", day=day, half_day="am", today=TODAY
    )
    assert found.requested is not None and found.requested.remaining == 0
    assert (found.same_office[0].day, found.same_office[0].half_day) == (day, "pm")
    assert len(found.same_office) == policy.alternatives.same_office
    assert all(p.remaining > 0 for p in found.same_office)
    assert found.other_offices and all(p.office.code != "xihu" for p in found.other_offices)
    assert all(p.day == day for p in found.other_offices)
    city_only = availability.availability(
        session=seeded,
        policy=policy,
        office_code="xihu",
        day=day,
        half_day="am",
        today=TODAY,
        needs_city_office=True,
    )
    assert city_only.other_offices == []


def test_other_offices_are_offered_nearest_first(seeded: Session, policy: MarriagePolicy) -> None:
    day = bookable(2)
    set_capacity(seeded, "chunan", 0)
    set_capacity(seeded, "xihu", 0)
    far_west = availability.availability(
        session=seeded, policy=policy, office_code="chunan", day=day, half_day="am", today=TODAY
    )
    offered = [p.office.code for p in far_west.other_offices]
    assert offered and offered[0] in {"jiande", "tonglu"}, offered
    central = availability.availability(
        session=seeded, policy=policy, office_code="xihu", day=day, half_day="am", today=TODAY
    )
    assert central.other_offices[0].office.code in {"shangcheng", "gongshu", "binjiang"}


# ---------------------------------------------------------------- the race


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


# ---------------------------------------------------------------- find, reschedule, cancel


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


# ---------------------------------------------------------------- HTTP


@pytest.fixture
def client(database_url: str, seeded: Session) -> Iterator[TestClient]:
    engine = make_engine(database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def override() -> Iterator[Session]:
        with factory() as db_session:
            yield db_session

    app = FastAPI()
    install_error_handling(app)
    app.include_router(router)
    app.dependency_overrides[get_session] = override
    with TestClient(app, headers=SERVICE_HEADERS) as test_client:
        yield test_client
    engine.dispose()


def booking_json(**fields: object) -> dict[str, object]:
    body = request(**fields).model_dump(mode="json")
    return body


def test_api_books_and_shows_personal_data_only_masked(client: TestClient) -> None:
    body = booking_json()
    created = client.post("/api/marriage/bookings", json=body)
    assert created.status_code == 201, created.text
    booking = created.json()
    assert re.fullmatch(r"HY-\d{8}-\d{4}", booking["reference"])
    assert booking["booking_type_label"] == "结婚登记"
    party1 = body["party1"]
    assert isinstance(party1, dict)
    raw_id = str(party1["id_number"])
    assert raw_id not in created.text and "13812345678" not in created.text
    assert "张伟" not in created.text
    assert booking["party1_id_number"] == raw_id[:4] + "*" * 10 + raw_id[-4:]
    assert booking["phone"] == "138****5678"
    assert booking["party1_name"] == "张*"
    assert booking["office"]["code"] == "xihu"
    again = client.post("/api/marriage/bookings", json=body)  # 确认 pressed twice
    assert again.status_code == 200, again.text
    assert again.json()["reference"] == booking["reference"]

    alone = client.post("/api/marriage/bookings/lookup", json={"reference": booking["reference"]})
    assert alone.status_code == 422
    wrong = client.post(
        "/api/marriage/bookings/lookup",
        json={"reference": booking["reference"], "phone": "13900000000"},
    )
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "not_found"
    found = client.post(
        "/api/marriage/bookings/lookup",
        json={"reference": booking["reference"], "id_last4": raw_id[-4:]},
    )
    assert found.status_code == 200
    assert found.json()["history"][0]["status"] == "booked"


def test_api_refusals_are_chinese_4xx(client: TestClient) -> None:
    too_far = client.post(
        "/api/marriage/bookings", json=booking_json(day=TODAY + dt.timedelta(days=60))
    )
    assert too_far.status_code == 422
    assert too_far.json()["error"]["code"] == "day_too_far"
    assert "只能预约" in too_far.json()["error"]["message"]
    unknown = client.post("/api/marriage/bookings", json=booking_json(office_code="nowhere"))
    assert unknown.status_code == 404
    garbage = client.post("/api/marriage/bookings", json={"booking_type": "party"})
    assert garbage.status_code == 422
    assert (
        client.get(
            "/api/marriage/offices/nowhere/availability", params={"day": bookable().isoformat()}
        ).status_code
        == 404
    )


def test_api_calendar_availability_policy_and_offices(client: TestClient) -> None:
    offices = client.get("/api/marriage/offices").json()
    assert [o["code"] for o in offices][:2] == ["city", "shangcheng"]
    policy = client.get("/api/marriage/policy").json()
    assert policy["minimum_age"] == {
        "male": 22,
        "female": 20,
        "source": policy["minimum_age"]["source"],
    }
    documents = " ".join(policy["booking_types"]["marriage"]["documents"])
    assert "身份证" in documents and "户口簿" not in documents
    day = client.get("/api/marriage/calendar", params={"day": TODAY.isoformat()}).json()
    assert day["bookable"] is False and day["reason"] == "past"
    assert day["first_day"] == bookable().isoformat()
    assert day["next_bookable_days"][0] == bookable().isoformat()
    free = client.get(
        "/api/marriage/offices/xihu/availability",
        params={"day": bookable().isoformat(), "half_day": "pm"},
    ).json()
    assert free["requested"]["remaining"] == 30
    assert free["same_office"] == [] and free["other_offices"] == []


def test_api_attendance_is_for_logged_in_staff_only(client: TestClient) -> None:
    booking = client.post("/api/marriage/bookings", json=booking_json()).json()
    path = f"/api/marriage/staff/bookings/{booking['reference']}/attendance"
    refused = client.post(path, json={"status": "attended"})
    assert refused.status_code == 401
    assert refused.json()["error"]["message"]

    app = cast(FastAPI, client.app)
    app.dependency_overrides[require_staff] = lambda: None
    assert client.post(path, json={"status": "late"}).status_code == 422
    early = client.post(path, json={"status": "no_show"})
    assert early.status_code == 409, early.text
    assert early.json()["error"]["code"] == "attendance_too_early"
    assert "还没到" in early.json()["error"]["message"]
    app.dependency_overrides[city_today] = lambda: dt.date.fromisoformat(booking["day"])
    marked = client.post(path, json={"status": "no_show"})
    assert marked.status_code == 200, marked.text
    assert [entry["status"] for entry in marked.json()["history"]] == ["booked", "no_show"]
    again = client.post(path, json={"status": "attended"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_active"


def test_api_wrong_proofs_are_limited_per_window_and_the_limit_expires(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    guard = LookupGuard(max_failures=5, window_seconds=3600, clock=lambda: now[0])
    monkeypatch.setattr(lookup_guard, "get_lookup_guard", lambda: guard)
    booking = client.post("/api/marriage/bookings", json=booking_json()).json()
    reference = booking["reference"]
    lookup = "/api/marriage/bookings/lookup"
    for guess in range(5):  # a stranger guessing the last 4 characters
        wrong = client.post(lookup, json={"reference": reference, "id_last4": f"{guess:04d}"})
        assert wrong.status_code == 404
    # within the window even the right proof is refused: guessing stops here
    blocked = client.post(lookup, json={"reference": reference, "phone": "13812345678"})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "too_many_attempts"
    assert "13812345678" not in blocked.text and "张" not in blocked.text
    cancel = client.post(
        f"/api/marriage/bookings/{reference}/cancel", json={"phone": "13812345678"}
    )
    assert cancel.status_code == 429
    # hotline staff can still look it up (masked), by the reference alone
    staff_path = f"/api/marriage/staff/bookings/{reference}"
    assert client.get(staff_path).status_code == 401
    app = cast(FastAPI, client.app)
    app.dependency_overrides[require_staff] = lambda: None
    for_staff = client.get(staff_path)
    assert for_staff.status_code == 200, for_staff.text
    assert for_staff.json()["phone"] == "138****5678"
    assert for_staff.json()["party1_name"] == "张*"
    assert "13812345678" not in for_staff.text
    assert client.get("/api/marriage/staff/bookings/HY-20990101-0001").status_code == 404
    # the window moves on: the owner gets in again, and nothing was locked for good
    now[0] += 3601
    found = client.post(lookup, json={"reference": reference, "phone": "13812345678"})
    assert found.status_code == 200, found.text
    assert found.json()["reference"] == reference


def test_api_a_booking_whose_day_has_passed_is_not_cancelled(client: TestClient) -> None:
    booking = client.post("/api/marriage/bookings", json=booking_json()).json()
    app = cast(FastAPI, client.app)
    app.dependency_overrides[city_today] = lambda: (
        dt.date.fromisoformat(booking["day"]) + dt.timedelta(days=1)
    )
    late = client.post(
        f"/api/marriage/bookings/{booking['reference']}/cancel", json={"phone": "13812345678"}
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "cancel_too_late"
    assert "已经过去" in late.json()["error"]["message"]


def test_api_window_messages_use_the_configured_window(
    client: TestClient, policy: MarriagePolicy
) -> None:
    window = policy.booking_window.model_copy(update={"horizon_days": 45, "lead_working_days": 2})
    app = cast(FastAPI, client.app)
    app.dependency_overrides[get_policy] = lambda: policy.model_copy(
        update={"booking_window": window}
    )
    too_far = client.post(
        "/api/marriage/bookings", json=booking_json(day=TODAY + dt.timedelta(days=60))
    )
    assert too_far.json()["error"]["code"] == "day_too_far"
    assert "45天" in too_far.json()["error"]["message"]
    next_working_day = bookable()  # bookable with 1 working day's notice, too soon with 2
    too_soon = client.post("/api/marriage/bookings", json=booking_json(day=next_working_day))
    assert too_soon.json()["error"]["code"] == "day_too_soon"
    assert "提前2个工作日" in too_soon.json()["error"]["message"]
    first = booking_window(today=TODAY, window=window).first
    assert first.isoformat() in too_soon.json()["error"]["message"]
    underage = client.post(
        "/api/marriage/bookings",
        json=booking_json(
            party1=PersonIn(name="张伟", id_number=make_id(male=True, age=21)), day=bookable(1)
        ),
    )
    assert underage.json()["error"]["code"] == "underage"
    assert "男22周岁" in underage.json()["error"]["message"]
