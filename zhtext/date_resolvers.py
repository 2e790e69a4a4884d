"""Which day each date pattern of ``zhtext.date_words`` means, relative to ``today``.

The earliest mention in a message wins; a date that does not exist ("2月30号") is `INVALID`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from zhtext.date_words import (
    DAY_OFFSET,
    DAY_ONLY,
    DOTTED,
    ISO,
    LUNAR_DATE,
    LUNAR_DAYS,
    LUNAR_MONTH_WORDS,
    MONTH_DAY,
    MONTH_END,
    MONTH_OFFSET,
    NAMED_DAY,
    NEW_YEARS_EVE,
    RELATIVE_DAY,
    RELATIVE_MONTH_DAY,
    RELATIVE_WEEK,
    SOLAR_DAYS,
    WEEK_OFFSET,
    WEEKDAY,
    WEEKDAY_INDEX,
    YEAR_OFFSET,
    make_date,
    small_int,
)
from zhtext.lunar import lunar_to_solar


class Invalid:
    """Marker: the text names a date that does not exist."""


INVALID = Invalid()
Resolver = Callable[[re.Match[str], dt.date], dt.date | None]


def find_own(text: str, today: dt.date) -> dt.date | Invalid | None:
    """Run the deterministic patterns; the earliest mention wins."""
    masked = text
    hits: list[tuple[int, dt.date | None]] = []
    for pattern, resolve in PATTERNS:
        for match in list(pattern.finditer(masked)):
            hits.append((match.start(), resolve(match, today)))
            masked = masked[: match.start()] + "\0" * len(match.group(0)) + masked[match.end() :]
    if not hits:
        return None
    _, day = min(hits, key=lambda hit: hit[0])
    return INVALID if day is None else day


def _resolve_iso(match: re.Match[str], today: dt.date) -> dt.date | None:
    del today
    return make_date(int(match["y"]), int(match["m"]), int(match["d"]))


def _resolve_month_day(match: re.Match[str], today: dt.date) -> dt.date | None:
    month, day = small_int(match["m"]), small_int(match["d"])
    rel_year = match.groupdict().get("rel_year")
    if rel_year:
        return make_date(today.year + YEAR_OFFSET[rel_year], month, day)
    return next_occurrence(today, lambda year: make_date(year, month, day))


def _resolve_relative_month_day(match: re.Match[str], today: dt.date) -> dt.date | None:
    months = today.year * 12 + today.month - 1 + MONTH_OFFSET[match["rel_month"]]
    return make_date(months // 12, months % 12 + 1, small_int(match["d"]))


def _resolve_day_only(match: re.Match[str], today: dt.date) -> dt.date | None:
    day = small_int(match["d"])
    if not 1 <= day <= 31:
        return None
    for months_ahead in range(3):  # "31号" in November means 31 December
        months = today.year * 12 + today.month - 1 + months_ahead
        candidate = make_date(months // 12, months % 12 + 1, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _resolve_relative_day(match: re.Match[str], today: dt.date) -> dt.date | None:
    days = small_int(match["n"]) if match["n"] else DAY_OFFSET[match.group(0)]
    return today + dt.timedelta(days=days)


def _resolve_relative_week(match: re.Match[str], today: dt.date) -> dt.date | None:
    weeks = small_int(match["n"])
    return today + dt.timedelta(weeks=weeks) if weeks else None


def _resolve_month_end(match: re.Match[str], today: dt.date) -> dt.date | None:
    def last_day(year: int, month: int) -> dt.date:
        return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)

    if match["m"]:
        month = small_int(match["m"])
        if not 1 <= month <= 12:
            return None
        return next_occurrence(today, lambda year: last_day(year, month))
    rel_month = match["rel_month"]
    months = today.year * 12 + today.month - 1 + (MONTH_OFFSET[rel_month] if rel_month else 0)
    return last_day(months // 12, months % 12 + 1)


def _resolve_lunar_date(match: re.Match[str], today: dt.date) -> dt.date | None:
    month_text, day_text = match["lm"], match["ld"]
    month = LUNAR_MONTH_WORDS.get(month_text) or small_int(month_text)
    day = small_int(day_text.replace("初", "").replace("廿", "二十"))
    if not (1 <= month <= 12 and 1 <= day <= 30):
        return None

    def in_lunar_year(year: int) -> dt.date | None:
        try:
            return lunar_to_solar(year, month, day)
        except ValueError:
            return None

    # A lunar year starts in January or February, so its last months fall in the next calendar
    # year: start one lunar year back ("腊月" said in January is usually this January's).
    for year in range(today.year - 1, today.year + 9):
        candidate = in_lunar_year(year)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _resolve_weekday(match: re.Match[str], today: dt.date) -> dt.date | None:
    weekday = WEEKDAY_INDEX[match["wd"]]
    week = match["week"] or ""
    if not week:  # a bare "周五" is the next Friday, today included
        return today + dt.timedelta(days=(weekday - today.weekday()) % 7)
    monday = today - dt.timedelta(days=today.weekday())
    return monday + dt.timedelta(weeks=WEEK_OFFSET[week], days=weekday)


def _resolve_named_day(match: re.Match[str], today: dt.date) -> dt.date | None:
    name = match["name"]
    rel_year = match["rel_year"]

    def in_year(year: int) -> dt.date | None:
        if name in SOLAR_DAYS:
            return make_date(year, *SOLAR_DAYS[name])
        try:
            if name in NEW_YEARS_EVE:
                return lunar_to_solar(year, 1, 1) - dt.timedelta(days=1)
            return lunar_to_solar(year, *LUNAR_DAYS[name])
        except ValueError:
            return None

    if match["shift"]:  # "圣诞节后一天", "除夕前两天"
        shift = dt.timedelta(days=small_int(match["shift_days"]))
        if match["shift"] == "前":
            shift = -shift
    else:
        shift = dt.timedelta(0)

    def shifted(year: int) -> dt.date | None:
        day = in_year(year)
        return None if day is None else day + shift

    if rel_year:
        return shifted(today.year + YEAR_OFFSET[rel_year])
    return next_occurrence(today, shifted)


PATTERNS: tuple[tuple[re.Pattern[str], Resolver], ...] = (
    (ISO, _resolve_iso),
    (LUNAR_DATE, _resolve_lunar_date),
    (NAMED_DAY, _resolve_named_day),
    (MONTH_DAY, _resolve_month_day),
    (RELATIVE_MONTH_DAY, _resolve_relative_month_day),
    (DOTTED, _resolve_month_day),
    (RELATIVE_DAY, _resolve_relative_day),
    (RELATIVE_WEEK, _resolve_relative_week),
    (MONTH_END, _resolve_month_end),
    (WEEKDAY, _resolve_weekday),
    (DAY_ONLY, _resolve_day_only),
)


def next_occurrence(today: dt.date, in_year: Callable[[int], dt.date | None]) -> dt.date | None:
    """First date on or after ``today`` in this or a later year (29 February needs up to 8)."""
    for year in range(today.year, today.year + 9):
        candidate = in_year(year)
        if candidate is not None and candidate >= today:
            return candidate
    return None
