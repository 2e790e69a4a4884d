from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import yaml

from zhtext.holidays import (
    DEFAULT_HOLIDAY_FILE,
    DayStatus,
    HolidayCalendar,
    HolidayFileError,
    day_status,
    holiday_name,
    is_working_day,
    next_working_days,
)

HOLIDAY_CODES = {
    "new_years_day",
    "spring_festival",
    "tomb_sweeping_day",
    "labour_day",
    "dragon_boat_festival",
    "mid_autumn_festival",
    "national_day",
}


@pytest.mark.parametrize(
    ("day", "working", "name"),
    [
        # years chinese_calendar knows: official, never estimates
        (date(2026, 10, 1), False, "national_day"),
        (date(2026, 10, 7), False, "national_day"),
        (date(2026, 10, 10), True, "national_day"),  # Saturday worked for the National Day break
        (date(2026, 2, 14), True, "spring_festival"),  # Saturday worked (调休)
        (date(2026, 2, 17), False, "spring_festival"),
        (date(2026, 9, 25), False, "mid_autumn_festival"),
        (date(2026, 1, 1), False, "new_years_day"),
        (date(2026, 11, 27), True, None),  # ordinary Friday
        (date(2026, 11, 28), False, None),  # ordinary Saturday
        (date(2026, 12, 25), True, None),  # Christmas is not a holiday in China
        (date(2026, 12, 31), True, None),
        (date(2004, 10, 1), False, "national_day"),
    ],
)
def test_days_the_package_knows(day: date, working: bool, name: str | None) -> None:
    assert day_status(day) == DayStatus(day, working, False, name)
    assert is_working_day(day) is working


def test_december_2026_is_weekdays_only_and_official() -> None:
    for offset in range(31):
        day = date(2026, 12, 1) + timedelta(days=offset)
        status = day_status(day)
        assert status.is_working_day is (day.weekday() < 5), day
        assert status.is_estimate is False
        assert status.name is None


@pytest.mark.parametrize(
    ("day", "working", "name"),
    [
        (date(2027, 1, 1), False, "new_years_day"),
        (date(2027, 1, 3), False, "new_years_day"),
        (date(2027, 1, 4), True, None),
        (date(2027, 1, 31), True, "spring_festival"),  # estimated worked Sunday
        (date(2027, 2, 5), False, "spring_festival"),  # 除夕
        (date(2027, 2, 6), False, "spring_festival"),  # 春节
        (date(2027, 2, 12), False, "spring_festival"),
        (date(2027, 2, 15), True, None),
        (date(2027, 2, 20), True, "spring_festival"),
        (date(2027, 4, 5), False, "tomb_sweeping_day"),
        (date(2027, 5, 5), False, "labour_day"),
        (date(2027, 5, 8), True, "labour_day"),
        (date(2027, 6, 9), False, "dragon_boat_festival"),
        (date(2027, 9, 15), False, "mid_autumn_festival"),
        (date(2027, 10, 1), False, "national_day"),
        (date(2027, 10, 7), False, "national_day"),
        (date(2027, 10, 9), True, "national_day"),
        (date(2027, 3, 6), False, None),  # ordinary Saturday
    ],
)
def test_2027_comes_from_the_editor_file_and_is_an_estimate(
    day: date, working: bool, name: str | None
) -> None:
    assert day_status(day) == DayStatus(day, working, True, name)


def test_every_day_of_2027_is_marked_as_an_estimate() -> None:
    for offset in range(365):
        assert day_status(date(2027, 1, 1) + timedelta(days=offset)).is_estimate


def test_one_working_day_after_new_years_eve_2026_crosses_into_2027() -> None:
    (first,) = next_working_days(date(2026, 12, 31), 1)
    assert first == DayStatus(date(2027, 1, 4), True, True, None)


def test_working_days_across_the_year_boundary_mark_only_2027_as_estimates() -> None:
    days = next_working_days(date(2026, 12, 29), 4)
    assert [(d.date, d.is_estimate) for d in days] == [
        (date(2026, 12, 30), False),
        (date(2026, 12, 31), False),
        (date(2027, 1, 4), True),
        (date(2027, 1, 5), True),
    ]


def test_a_thirty_day_booking_window_from_december_does_not_crash() -> None:
    days = next_working_days(date(2026, 12, 15), 30)
    assert len(days) == 30
    assert all(d.is_working_day for d in days)
    assert days[-1].date.year == 2027


@pytest.mark.parametrize(
    ("start", "include_start", "expected"),
    [
        (date(2026, 11, 27), False, date(2026, 11, 30)),  # Friday → Monday
        (date(2026, 11, 27), True, date(2026, 11, 27)),
        (date(2026, 11, 28), True, date(2026, 11, 30)),  # a Saturday is skipped
        (date(2026, 9, 30), False, date(2026, 10, 8)),  # over the National Day break
        (date(2026, 2, 13), False, date(2026, 2, 14)),  # the worked Saturday counts
        (date(2027, 2, 4), False, date(2027, 2, 15)),  # estimated Spring Festival break
    ],
)
def test_next_working_day(start: date, include_start: bool, expected: date) -> None:
    (first,) = next_working_days(start, 1, include_start=include_start)
    assert first.date == expected


def test_next_working_days_zero_and_negative() -> None:
    assert next_working_days(date(2026, 11, 28), 0) == []
    with pytest.raises(ValueError, match="negative"):
        next_working_days(date(2026, 11, 28), -1)


def test_holiday_name_comes_from_the_file() -> None:
    assert holiday_name("national_day") == "国庆节"
    assert holiday_name("spring_festival") == "春节"
    assert holiday_name("no_such_holiday") == "no_such_holiday"


# --- the editor file itself -------------------------------------------------------------------


def _file() -> dict[str, Any]:
    with DEFAULT_HOLIDAY_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def test_holiday_file_states_its_source_and_that_2027_is_estimated() -> None:
    data = _file()
    assert data["version"] == 1
    assert data["source"]["title"]
    assert "估算" in data["note"]
    year = data["years"][2027]
    assert year["estimate"] is True
    assert {entry["holiday"] for entry in year["holidays"]} == HOLIDAY_CODES
    for entry in [*year["holidays"], *year["workdays"]]:
        assert entry["estimate"] is True, entry
    for entry in year["workdays"]:
        assert entry["date"].weekday() >= 5, entry
    assert set(data["names"]) >= HOLIDAY_CODES


# --- other calendars ----------------------------------------------------------------------------


def _off(code: str, start: Any, end: Any) -> dict[str, Any]:
    return {"holiday": code, "start": start, "end": end}


def _document(**year: Any) -> dict[str, Any]:
    return {"names": {"national_day": "国庆节", "labour_day": "劳动节"}, "years": {2030: year}}


def test_a_year_with_a_published_schedule_is_not_an_estimate() -> None:
    calendar = HolidayCalendar.from_document(
        _document(
            estimate=False,
            holidays=[
                {"holiday": "national_day", "start": date(2030, 10, 1), "end": date(2030, 10, 7)}
            ],
            workdays=[{"holiday": "national_day", "date": date(2030, 9, 29)}],
        )
    )
    assert calendar.day_status(date(2030, 10, 2)) == DayStatus(
        date(2030, 10, 2), False, False, "national_day"
    )
    assert calendar.day_status(date(2030, 9, 29)) == DayStatus(
        date(2030, 9, 29), True, False, "national_day"
    )
    assert calendar.day_status(date(2030, 10, 8)) == DayStatus(date(2030, 10, 8), True, False)
    # a year the file does not describe stays an estimate
    assert calendar.day_status(date(2031, 10, 8)).is_estimate


def test_an_entry_can_be_an_estimate_in_a_published_year() -> None:
    calendar = HolidayCalendar.from_document(
        _document(
            estimate=False,
            holidays=[
                {
                    "holiday": "labour_day",
                    "start": date(2030, 5, 1),
                    "end": date(2030, 5, 3),
                    "estimate": True,
                }
            ],
        )
    )
    assert calendar.day_status(date(2030, 5, 2)).is_estimate
    assert not calendar.day_status(date(2030, 5, 6)).is_estimate


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2028, 1, 1), "new_years_day"),
        (date(2028, 1, 25), "spring_festival"),  # 除夕
        (date(2028, 1, 28), "spring_festival"),  # 初三
        (date(2028, 4, 4), "tomb_sweeping_day"),
        (date(2028, 5, 1), "labour_day"),
        (date(2028, 5, 2), "labour_day"),
        (date(2028, 5, 28), "dragon_boat_festival"),
        (date(2028, 10, 2), "national_day"),
    ],
)
def test_years_nobody_published_use_the_statutory_days(day: date, name: str) -> None:
    assert day_status(day) == DayStatus(day, False, True, name)


def test_years_nobody_published_are_weekdays_otherwise() -> None:
    calendar = HolidayCalendar()
    assert calendar.day_status(date(2028, 10, 4)) == DayStatus(date(2028, 10, 4), True, True)
    assert calendar.day_status(date(2028, 10, 7)) == DayStatus(date(2028, 10, 7), False, True)
    assert calendar.day_status(date(2027, 10, 1)).name == "national_day"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "file must be a mapping"),
        ({"years": {}}, "names must be a mapping"),
        ({"names": {}, "years": {"2030": {}}}, "is not a year"),
        (_document(holidays=[_off("xmas", date(2030, 1, 1), date(2030, 1, 1))]), "not listed"),
        (
            _document(holidays=[_off("labour_day", date(2030, 5, 3), date(2030, 5, 1))]),
            "ends before",
        ),
        (_document(holidays=[_off("labour_day", "5月1日", date(2030, 5, 1))]), "must be a date"),
        (
            _document(holidays=[_off("labour_day", date(2033, 5, 1), date(2033, 5, 1))]),
            "not in 2030",
        ),
        (_document(workdays=[{"holiday": "labour_day", "date": date(2030, 5, 6)}]), "is a weekday"),
        (_document(estimate="yes"), "true or false"),
        (_document(holidays={"labour_day": 1}), "must be a list"),
        (
            _document(
                holidays=[_off("labour_day", date(2030, 5, 4), date(2030, 5, 5))],
                workdays=[{"holiday": "labour_day", "date": date(2030, 5, 4)}],
            ),
            "both a holiday and a working day",
        ),
    ],
)
def test_malformed_holiday_files_are_rejected(document: Any, message: str) -> None:
    with pytest.raises(HolidayFileError, match=message):
        HolidayCalendar.from_document(document)


def test_from_file_names_the_file_in_errors(tmp_path: Any) -> None:
    path = tmp_path / "holidays.yml"
    path.write_text("names: {}\nyears: {2030: {holidays: [{holiday: x}]}}\n", encoding="utf-8")
    with pytest.raises(HolidayFileError, match=r"holidays\.yml"):
        HolidayCalendar.from_file(path)
