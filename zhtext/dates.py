"""Booking dates and half-days as citizens say them, relative to a given ``today``.

The common forms are parsed here, deterministically: "明天", "明早", "后天", "一周后", "周五",
"下周三上午", "12月3号", "12.3", "2026-12-03", "下个月3号", "3号", "月底", lunar dates ("农历七月
初七"), and named days ("情人节", "520", "七夕", "中秋"…). Everything else goes to ``jionlp``
(imported on first use: it takes ~0.4 s).

A date said without a year means its next occurrence, today included: on 2026-11-28 "5月20号" is
2027-05-20 (jionlp would answer 2026-05-20, and does so for lunar festivals even with
``ret_future``). Whether the date is bookable (past, too far ahead, a holiday) is the caller's call.

Lunar festivals (七夕 is the 7th day of the 7th lunar month) are converted with
``jionlp.lunar2solar``, which works offline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

__all__ = ["HalfDay", "ParsedDate", "lunar_to_solar", "parse_date", "parse_half_day"]

HalfDay = Literal["am", "pm"]

_NUM = r"\d{1,2}|[一二两三四五六七八九十]{1,3}"
_YEAR_WORD = r"(?P<rel_year>今年|明年|后年)?"
_ISO = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*"
    r"(?P<d>\d{1,2})(?!\d)\s*[日号]?"
)
_MONTH_DAY = re.compile(rf"{_YEAR_WORD}\s*(?P<m>{_NUM})\s*月份?\s*(?P<d>{_NUM})\s*[日号]?")
_RELATIVE_MONTH_DAY = re.compile(
    rf"(?P<rel_month>下下个?月|下个?月|这个?月|本月)\s*的?\s*(?P<d>{_NUM})\s*[日号]?"
)
_DOTTED = re.compile(r"(?<![\d./-])(?P<m>\d{1,2})\s*[./-]\s*(?P<d>\d{1,2})(?![\d./-])")
_DAY_ONLY = re.compile(rf"(?<![\d月])(?P<d>{_NUM})\s*[日号]")
_RELATIVE_DAY = re.compile(
    rf"大后天|后天|明天|明日|明儿|明早|今天|今日|(?P<n>{_NUM})\s*天[以之]?后"
)
_RELATIVE_WEEK = re.compile(rf"(?P<n>{_NUM})\s*个?\s*(?:周|星期|礼拜)\s*[以之]?后")
# "月底" is the last day of this month; "下个月底" of the next; "一月底" of the next January.
# Whether it is a working day is the caller's call.
_MONTH_END = re.compile(
    rf"(?:(?P<rel_month>下下个?月|下个?月|这个?月|本月)\s*的?\s*|(?P<m>{_NUM})\s*月\s*|月)[底末]"
)
# "农历七月初七", "阴历八月十五", "农历腊月二十三": a lunar month and day, converted to the
# calendar.
_LUNAR_MONTH = r"正|冬|腊|十[一二]|[一二三四五六七八九十]|1[0-2]|[1-9]"
_LUNAR_DAY = (
    r"初[一二三四五六七八九十]|廿[一二三四五六七八九]|二十[一二三四五六七八九]?|三十"
    r"|十[一二三四五六七八九]?|[12]\d|30|[1-9]"
)
_LUNAR_DATE = re.compile(
    rf"(?:农历|阴历|旧历)\s*(?P<lm>{_LUNAR_MONTH})\s*月\s*(?P<ld>{_LUNAR_DAY})\s*[日号]?"
)
_LUNAR_WORDS = re.compile(r"农历|阴历|旧历")
_WEEKDAY = re.compile(
    r"(?P<week>下下个?|下个?|这个?|本|这一)?\s*(?:(?:周|星期|礼拜)\s*的\s*)?"
    r"(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"
)
_PAST_WORDS = re.compile(r"昨|前天|上周|上个|上星期|上礼拜|去年|前年|以前|之前")
_WEEKEND = re.compile(r"周末|礼拜六日|双休日")
_TIME_OF_DAY = re.compile(
    r"上午|早上|早晨|清早|一早|明早|中午|下午|午后|傍晚|晚上|夜里|上半天|下半天"
)
_AM = re.compile(r"上午|早上|早晨|清早|一早|明早|上半天|上半日|\bam\b|a\.m\.|morning")
_PM = re.compile(r"下午|午后|下半天|下半日|\bpm\b|p\.m\.|afternoon")

_WEEKDAY_INDEX = (
    {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6} | {str(i + 1): i for i in range(7)}
)
_YEAR_OFFSET = {"今年": 0, "明年": 1, "后年": 2}
_MONTH_OFFSET = {
    "这月": 0,
    "这个月": 0,
    "本月": 0,
    "下月": 1,
    "下个月": 1,
    "下下月": 2,
    "下下个月": 2,
}
_DAY_OFFSET = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "后天": 2}
_DAY_OFFSET |= {"大后天": 3}
_LUNAR_MONTH_WORDS = {"正": 1, "冬": 11, "腊": 12}
_WEEK_OFFSET = {"": 0, "这": 0, "这个": 0, "本": 0, "这一": 0, "下": 1, "下个": 1, "下下": 2}
_WEEK_OFFSET |= {"下下个": 2}

# Named days: (month, day, is_lunar). 除夕 is handled as "the day before 春节".
_SOLAR_DAYS = {
    "元旦": (1, 1),
    "情人节": (2, 14),
    "妇女节": (3, 8),
    "植树节": (3, 12),
    "劳动节": (5, 1),
    "青年节": (5, 4),
    "520": (5, 20),
    "儿童节": (6, 1),
    "建军节": (8, 1),
    "教师节": (9, 10),
    "国庆节": (10, 1),
    "国庆": (10, 1),
    "平安夜": (12, 24),
    "圣诞节": (12, 25),
    "圣诞": (12, 25),
}
_LUNAR_DAYS = {
    "春节": (1, 1),
    "大年初一": (1, 1),
    "元宵节": (1, 15),
    "元宵": (1, 15),
    "端午节": (5, 5),
    "端午": (5, 5),
    "七夕节": (7, 7),
    "七夕": (7, 7),
    "中秋节": (8, 15),
    "中秋": (8, 15),
    "重阳节": (9, 9),
    "重阳": (9, 9),
}
_NEW_YEARS_EVE = ("除夕", "大年三十", "年三十")
_NAMED_DAY = re.compile(
    rf"{_YEAR_WORD}\s*(?P<name>"
    + "|".join(
        re.escape(n)
        for n in sorted([*_SOLAR_DAYS, *_LUNAR_DAYS, *_NEW_YEARS_EVE], key=len, reverse=True)
    ).replace("520", r"(?<!\d)520(?!\d)")
    + rf")(?:\s*(?P<shift>[前后])\s*(?P<shift_days>{_NUM})\s*天)?"
)


@dataclass(frozen=True)
class ParsedDate:
    """A calendar day the citizen asked for, and the half-day if they named one.

    Attributes:
        date: The day.
        half_day: "am" (上午) or "pm" (下午), or None when not said.
    """

    date: dt.date
    half_day: HalfDay | None = None


def parse_half_day(text: str) -> HalfDay | None:
    """Return "am" for 上午/早上/morning, "pm" for 下午/午后/afternoon, else None.

    Args:
        text: Citizen input; only the half-day words matter.

    Returns:
        The half-day, or None when neither or both are said ("上午下午都行").
    """
    cleaned = _prepare(text)
    is_am = bool(_AM.search(cleaned))
    is_pm = bool(_PM.search(cleaned))
    if is_am == is_pm:
        return None
    return "am" if is_am else "pm"


def parse_date(text: str, *, today: dt.date) -> ParsedDate | None:
    """Parse the day (and half-day) a citizen wants to book.

    Args:
        text: Citizen input, e.g. "下周三上午", "12月3号", "七夕", "2026-12-03".
        today: The day to resolve relative words against.

    Returns:
        The first date mentioned, or None when there is none or it does not exist ("2月30号").
    """
    cleaned = _prepare(text)
    found = _find_own(cleaned, today)
    if found is _INVALID:
        return None
    day = found if isinstance(found, dt.date) else _ask_jionlp(cleaned, today)
    if day is None:
        return None
    return ParsedDate(day, parse_half_day(cleaned))


@cache
def lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    """Convert a lunar date (not in a leap month) to the Gregorian calendar, offline.

    Args:
        year: Lunar year (the Gregorian year its first month starts in).
        month: Lunar month, 1–12.
        day: Lunar day, 1–30.

    Returns:
        The Gregorian date.

    Raises:
        ValueError: When the lunar date does not exist or is outside jionlp's table.
    """
    try:
        solar = _jionlp().lunar2solar(year, month, day, False)
    except Exception as error:  # jionlp raises bare Exceptions for unknown dates
        raise ValueError(f"no such lunar date: {year}-{month}-{day}") from error
    return dt.date(solar.year, solar.month, solar.day)


class _Invalid:
    """Marker: the text names a date that does not exist."""


_INVALID = _Invalid()
_Resolver = Callable[[re.Match[str], dt.date], dt.date | None]


def _find_own(text: str, today: dt.date) -> dt.date | _Invalid | None:
    """Run the deterministic patterns; the earliest mention wins."""
    masked = text
    hits: list[tuple[int, dt.date | None]] = []
    for pattern, resolve in _PATTERNS:
        for match in list(pattern.finditer(masked)):
            hits.append((match.start(), resolve(match, today)))
            masked = masked[: match.start()] + "\0" * len(match.group(0)) + masked[match.end() :]
    if not hits:
        return None
    _, day = min(hits, key=lambda hit: hit[0])
    return _INVALID if day is None else day


def _resolve_iso(match: re.Match[str], today: dt.date) -> dt.date | None:
    del today
    return _make_date(int(match["y"]), int(match["m"]), int(match["d"]))


def _resolve_month_day(match: re.Match[str], today: dt.date) -> dt.date | None:
    month, day = _small_int(match["m"]), _small_int(match["d"])
    rel_year = match.groupdict().get("rel_year")
    if rel_year:
        return _make_date(today.year + _YEAR_OFFSET[rel_year], month, day)
    return _next_occurrence(today, lambda year: _make_date(year, month, day))


def _resolve_relative_month_day(match: re.Match[str], today: dt.date) -> dt.date | None:
    months = today.year * 12 + today.month - 1 + _MONTH_OFFSET[match["rel_month"]]
    return _make_date(months // 12, months % 12 + 1, _small_int(match["d"]))


def _resolve_day_only(match: re.Match[str], today: dt.date) -> dt.date | None:
    day = _small_int(match["d"])
    if not 1 <= day <= 31:
        return None
    for months_ahead in range(3):  # "31号" in November means 31 December
        months = today.year * 12 + today.month - 1 + months_ahead
        candidate = _make_date(months // 12, months % 12 + 1, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _resolve_relative_day(match: re.Match[str], today: dt.date) -> dt.date | None:
    days = _small_int(match["n"]) if match["n"] else _DAY_OFFSET[match.group(0)]
    return today + dt.timedelta(days=days)


def _resolve_relative_week(match: re.Match[str], today: dt.date) -> dt.date | None:
    weeks = _small_int(match["n"])
    return today + dt.timedelta(weeks=weeks) if weeks else None


def _resolve_month_end(match: re.Match[str], today: dt.date) -> dt.date | None:
    def last_day(year: int, month: int) -> dt.date:
        return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)

    if match["m"]:
        month = _small_int(match["m"])
        if not 1 <= month <= 12:
            return None
        return _next_occurrence(today, lambda year: last_day(year, month))
    rel_month = match["rel_month"]
    months = today.year * 12 + today.month - 1 + (_MONTH_OFFSET[rel_month] if rel_month else 0)
    return last_day(months // 12, months % 12 + 1)


def _resolve_lunar_date(match: re.Match[str], today: dt.date) -> dt.date | None:
    month_text, day_text = match["lm"], match["ld"]
    month = _LUNAR_MONTH_WORDS.get(month_text) or _small_int(month_text)
    day = _small_int(day_text.replace("初", "").replace("廿", "二十"))
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
    weekday = _WEEKDAY_INDEX[match["wd"]]
    week = match["week"] or ""
    if not week:  # a bare "周五" is the next Friday, today included
        return today + dt.timedelta(days=(weekday - today.weekday()) % 7)
    monday = today - dt.timedelta(days=today.weekday())
    return monday + dt.timedelta(weeks=_WEEK_OFFSET[week], days=weekday)


def _resolve_named_day(match: re.Match[str], today: dt.date) -> dt.date | None:
    name = match["name"]
    rel_year = match["rel_year"]

    def in_year(year: int) -> dt.date | None:
        if name in _SOLAR_DAYS:
            return _make_date(year, *_SOLAR_DAYS[name])
        try:
            if name in _NEW_YEARS_EVE:
                return lunar_to_solar(year, 1, 1) - dt.timedelta(days=1)
            return lunar_to_solar(year, *_LUNAR_DAYS[name])
        except ValueError:
            return None

    if match["shift"]:  # "圣诞节后一天", "除夕前两天"
        shift = dt.timedelta(days=_small_int(match["shift_days"]))
        if match["shift"] == "前":
            shift = -shift
    else:
        shift = dt.timedelta(0)

    def shifted(year: int) -> dt.date | None:
        day = in_year(year)
        return None if day is None else day + shift

    if rel_year:
        return shifted(today.year + _YEAR_OFFSET[rel_year])
    return _next_occurrence(today, shifted)


_PATTERNS: tuple[tuple[re.Pattern[str], _Resolver], ...] = (
    (_ISO, _resolve_iso),
    (_LUNAR_DATE, _resolve_lunar_date),
    (_NAMED_DAY, _resolve_named_day),
    (_MONTH_DAY, _resolve_month_day),
    (_RELATIVE_MONTH_DAY, _resolve_relative_month_day),
    (_DOTTED, _resolve_month_day),
    (_RELATIVE_DAY, _resolve_relative_day),
    (_RELATIVE_WEEK, _resolve_relative_week),
    (_MONTH_END, _resolve_month_end),
    (_WEEKDAY, _resolve_weekday),
    (_DAY_ONLY, _resolve_day_only),
)


def _next_occurrence(today: dt.date, in_year: Callable[[int], dt.date | None]) -> dt.date | None:
    """First date on or after ``today`` in this or a later year (29 February needs up to 8)."""
    for year in range(today.year, today.year + 9):
        candidate = in_year(year)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _ask_jionlp(text: str, today: dt.date) -> dt.date | None:
    """Fallback for rarer phrasings; only a single named day is accepted."""
    if _WEEKEND.search(text):
        return None  # "周末" is two days: let the caller ask which one
    text = _TIME_OF_DAY.sub(" ", text)  # alone, jionlp reads "上午" as "this morning"
    if not text.strip():
        return None
    try:
        found = _jionlp().ner.extract_time(text, time_base=dt.datetime.combine(today, dt.time(12)))
    except Exception:  # jionlp raises bare Exceptions on input it cannot read
        return None
    for entity in _iter_time_points(found):
        start, end = (dt.datetime.fromisoformat(t).date() for t in entity["detail"]["time"])
        if start != end:
            continue
        if start < today and not _PAST_WORDS.search(text) and not _ISO.search(text):
            if _LUNAR_WORDS.search(text):
                # A lunar date a calendar year on is a different day; it is not guessed.
                return None
            # jionlp resolves year-less dates to the current year; bookings mean the next one.
            start = _make_date(start.year + 1, start.month, start.day) or start
        return start
    return None


def _iter_time_points(found: Any) -> Iterator[dict[str, Any]]:
    for entity in found if isinstance(found, list) else []:
        detail = entity.get("detail") if isinstance(entity, dict) else None
        if isinstance(detail, dict) and detail.get("type") == "time_point":
            yield entity


@cache
def _jionlp() -> Any:
    """Import jionlp on first use, without its banner on stdout."""
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

    return jionlp


def _prepare(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _small_int(number: str) -> int:
    """Convert 1–2 digits or a Chinese numeral up to 九十九 ("十二", "二十", "三十一")."""
    if number.isdigit():
        return int(number)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
    if "十" not in number:
        return digits.get(number, 0) if len(number) == 1 else 0
    tens, _, ones = number.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return 0
    return (digits.get(tens, 0) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
