"""Working days in mainland China: statutory holidays and the weekends worked in exchange (调休).

Sources, in order:

1. ``chinese_calendar`` for the years it knows (2004–2026 in version 1.11). It raises
   ``NotImplementedError`` for other years, so upgrading the package extends coverage by itself.
2. ``knowledge/policies/holidays.yml``, kept by editors, for later years. Until the State Council
   publishes a year's notice its entries are estimates (``estimate: true``).
3. Otherwise an estimate: the statutory days of the holiday law (元旦, 除夕–初三, 清明, 5月1–2日,
   端午, 中秋, 10月1–3日; lunar dates converted offline) are days off, other Monday–Fridays are
   working days. Bridging days and 调休 weekends cannot be guessed and are not modelled.

A booking window that crosses into a year the package does not know must keep working, and say
which days are only estimates (``DayStatus.is_estimate``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import chinese_calendar

from zhtext.lunar import lunar_to_solar
from zhtext.yaml_fields import YamlFields

__all__ = [
    "DEFAULT_HOLIDAY_FILE",
    "DayStatus",
    "HolidayCalendar",
    "HolidayFileError",
    "day_status",
    "default_calendar",
    "holiday_name",
    "is_working_day",
    "next_working_days",
]

DEFAULT_HOLIDAY_FILE = Path(__file__).resolve().parent.parent / "knowledge/policies/holidays.yml"
_SEARCH_LIMIT = 366
_QINGMING = chinese_calendar.solar_terms.SolarTerms.pure_brightness.value[1]
_PACKAGE_CODES = {holiday.value: holiday.name for holiday in chinese_calendar.Holiday}


class HolidayFileError(ValueError):
    """The editor-maintained holiday file is malformed."""


_FIELDS = YamlFields(HolidayFileError)


@dataclass(frozen=True)
class DayStatus:
    """Whether a day is a working day, and how sure we are.

    Attributes:
        date: The day.
        is_working_day: True when government offices work (weekdays and 调休 weekends).
        is_estimate: True when no official schedule for that year is loaded yet.
        name: Holiday code ("spring_festival", …) on a holiday or on a weekend worked for one;
            None on ordinary days. See :func:`holiday_name` for the Chinese name.
    """

    date: dt.date
    is_working_day: bool
    is_estimate: bool
    name: str | None = None


@dataclass(frozen=True)
class _Entry:
    holiday: str
    estimate: bool


@dataclass(frozen=True)
class HolidayCalendar:
    """Holiday knowledge for the years ``chinese_calendar`` does not cover.

    Attributes:
        holidays: Day off → holiday code and whether it is estimated.
        workdays: Weekend worked (调休) → holiday code and whether it is estimated.
        estimated_years: Years in the file whose whole schedule is an estimate.
        known_years: Years the file describes.
        names: Holiday code → Chinese name.
    """

    holidays: Mapping[dt.date, _Entry] = field(default_factory=dict)
    workdays: Mapping[dt.date, _Entry] = field(default_factory=dict)
    estimated_years: frozenset[int] = frozenset()
    known_years: frozenset[int] = frozenset()
    names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> HolidayCalendar:
        """Load ``holidays.yml``.

        Args:
            path: The YAML file.

        Returns:
            The calendar.

        Raises:
            HolidayFileError: When the file is not valid.
            OSError: When it cannot be read.
        """
        return _FIELDS.load(path, cls.from_document)

    @classmethod
    def from_document(cls, document: Any) -> HolidayCalendar:
        """Build a calendar from the parsed YAML document (see ``holidays.yml``).

        Raises:
            HolidayFileError: When a field is missing or wrong.
        """
        root = _FIELDS.mapping(document, "file")
        names = {
            str(code): str(name)
            for code, name in _FIELDS.mapping(root.get("names"), "names").items()
        }
        holidays: dict[dt.date, _Entry] = {}
        workdays: dict[dt.date, _Entry] = {}
        estimated: set[int] = set()
        for year, content in _FIELDS.mapping(root.get("years"), "years").items():
            if not isinstance(year, int):
                raise HolidayFileError(f"years: {year!r} is not a year")
            table = _FIELDS.mapping(content, f"years.{year}")
            year_estimate = _flag(table, "estimate", f"years.{year}")
            if year_estimate:
                estimated.add(year)
            for item in _FIELDS.entries(table.get("holidays", []), f"years.{year}.holidays"):
                entry, start, end = _holiday_entry(item, year, names, year_estimate)
                for offset in range((end - start).days + 1):
                    holidays[start + dt.timedelta(days=offset)] = entry
            for item in _FIELDS.entries(table.get("workdays", []), f"years.{year}.workdays"):
                entry, day = _workday_entry(item, year, names, year_estimate)
                workdays[day] = entry
        clash = sorted(set(holidays) & set(workdays))
        if clash:
            raise HolidayFileError(f"{clash[0]} is both a holiday and a working day")
        return cls(
            holidays=MappingProxyType(holidays),
            workdays=MappingProxyType(workdays),
            estimated_years=frozenset(estimated),
            known_years=frozenset(_FIELDS.mapping(root.get("years"), "years")),
            names=MappingProxyType(names),
        )

    def day_status(self, day: dt.date) -> DayStatus:
        """Return whether ``day`` is a working day, and whether that is an estimate."""
        try:
            is_holiday, package_name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return self._status_from_file(day)
        code = _PACKAGE_CODES.get(package_name, package_name) if package_name else None
        return DayStatus(day, not is_holiday, False, code)

    def is_working_day(self, day: dt.date) -> bool:
        """Return True when government offices work on ``day`` (estimated where unknown)."""
        return self.day_status(day).is_working_day

    def next_working_days(
        self, start: dt.date, count: int, *, include_start: bool = False
    ) -> list[DayStatus]:
        """Return the next ``count`` working days after ``start``.

        Args:
            start: The day to count from.
            count: How many working days to return (0 or more).
            include_start: Whether ``start`` itself may be the first one.

        Returns:
            The working days in order; check ``is_estimate`` on each.

        Raises:
            ValueError: When ``count`` is negative, or no working day is found within a year.
        """
        if count < 0:
            raise ValueError("count must not be negative")
        found: list[DayStatus] = []
        day = start if include_start else start + dt.timedelta(days=1)
        days_without_work = 0
        while len(found) < count:
            status = self.day_status(day)
            if status.is_working_day:
                found.append(status)
                days_without_work = 0
            else:
                days_without_work += 1
                if days_without_work > _SEARCH_LIMIT:
                    raise ValueError(f"no working day within a year after {day}")
            day += dt.timedelta(days=1)
        return found

    def holiday_name(self, code: str) -> str:
        """Return the Chinese name of a holiday code, or the code itself when unknown."""
        return self.names.get(code, code)

    def _status_from_file(self, day: dt.date) -> DayStatus:
        year_estimate = day.year in self.estimated_years or day.year not in self.known_years
        holiday = self.holidays.get(day)
        if holiday is not None:
            return DayStatus(day, False, year_estimate or holiday.estimate, holiday.holiday)
        workday = self.workdays.get(day)
        if workday is not None:
            return DayStatus(day, True, year_estimate or workday.estimate, workday.holiday)
        if day.year not in self.known_years:
            statutory = _statutory_days(day.year).get(day)
            if statutory is not None:
                return DayStatus(day, False, True, statutory)
        return DayStatus(day, day.weekday() < 5, year_estimate)


@cache
def default_calendar() -> HolidayCalendar:
    """The calendar from ``knowledge/policies/holidays.yml``, loaded once per process."""
    return HolidayCalendar.from_file(DEFAULT_HOLIDAY_FILE)


def day_status(day: dt.date) -> DayStatus:
    """Return whether ``day`` is a working day, whether that is an estimate, and the holiday."""
    return default_calendar().day_status(day)


def is_working_day(day: dt.date) -> bool:
    """Return True when government offices work on ``day`` (estimated for unknown years)."""
    return default_calendar().is_working_day(day)


def next_working_days(
    start: dt.date, count: int, *, include_start: bool = False
) -> list[DayStatus]:
    """Return the next ``count`` working days after ``start`` (see HolidayCalendar)."""
    return default_calendar().next_working_days(start, count, include_start=include_start)


def holiday_name(code: str) -> str:
    """Return the Chinese name of a holiday code from ``holidays.yml`` ("national_day" → 国庆节)."""
    return default_calendar().holiday_name(code)


@cache
def _statutory_days(year: int) -> Mapping[dt.date, str]:
    """Days off fixed by the holiday law (as revised from 2025), for years nobody has published."""
    days: dict[dt.date, str] = {}

    def add(code: str, first: dt.date, length: int = 1) -> None:
        for offset in range(length):
            days[first + dt.timedelta(days=offset)] = code

    add("new_years_day", dt.date(year, 1, 1))
    add("labour_day", dt.date(year, 5, 1), 2)
    add("national_day", dt.date(year, 10, 1), 3)
    with contextlib.suppress(NotImplementedError):
        for day, term in chinese_calendar.get_solar_terms(
            dt.date(year, 4, 1), dt.date(year, 4, 30)
        ):
            if term == _QINGMING:
                add("tomb_sweeping_day", day)
    with contextlib.suppress(ValueError):  # outside the lunar table: skip the lunar holidays
        add("spring_festival", lunar_to_solar(year, 1, 1) - dt.timedelta(days=1), 4)
        add("dragon_boat_festival", lunar_to_solar(year, 5, 5))
        add("mid_autumn_festival", lunar_to_solar(year, 8, 15))
    return MappingProxyType(days)


def _holiday_entry(
    item: Any, year: int, names: Mapping[str, str], year_estimate: bool
) -> tuple[_Entry, dt.date, dt.date]:
    where = f"years.{year}.holidays"
    entry = _FIELDS.mapping(item, where)
    code = _code(entry, names, where)
    start, end = _date(entry, "start", where), _date(entry, "end", where)
    if end < start:
        raise HolidayFileError(f"{where}: {code} ends before it starts")
    if abs(start.year - year) > 1 or abs(end.year - year) > 1:
        raise HolidayFileError(f"{where}: {code} is not in {year}")
    estimate = year_estimate or _flag(entry, "estimate", where)
    return _Entry(code, estimate), start, end


def _workday_entry(
    item: Any, year: int, names: Mapping[str, str], year_estimate: bool
) -> tuple[_Entry, dt.date]:
    where = f"years.{year}.workdays"
    entry = _FIELDS.mapping(item, where)
    code = _code(entry, names, where)
    day = _date(entry, "date", where)
    if day.weekday() < 5:
        raise HolidayFileError(f"{where}: {day} is a weekday, only weekends can be workdays")
    return _Entry(code, year_estimate or _flag(entry, "estimate", where)), day


def _code(entry: Mapping[Any, Any], names: Mapping[str, str], where: str) -> str:
    code = entry.get("holiday")
    if not isinstance(code, str) or code not in names:
        raise HolidayFileError(f"{where}: holiday {code!r} is not listed under names")
    return code


def _date(entry: Mapping[Any, Any], key: str, where: str) -> dt.date:
    value = entry.get(key)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise HolidayFileError(f"{where}: {key} must be a date like 2027-01-01, got {value!r}")
    return value


def _flag(entry: Mapping[Any, Any], key: str, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise HolidayFileError(f"{where}: {key} must be true or false, got {value!r}")
    return value
