"""The marriage offices and booking window: seed, working days, holidays, estimates, refusals."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from sqlalchemy.orm import Session

from backoffice.records.marriage import offices
from backoffice.records.marriage.bookable import bookable_days, booking_window, check_day
from backoffice.records.marriage.policy import MarriagePolicy
from backoffice.records.marriage.seed import seed
from core.errors import ApiError
from tests.backoffice.marriage_support import TODAY, book
from tests.backoffice.marriage_support import policy as policy
from tests.backoffice.marriage_support import seeded as seeded
from zhtext.holidays import day_status


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
