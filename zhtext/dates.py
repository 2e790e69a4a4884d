"""Booking dates and half-days as citizens say them, relative to a given ``today``.

The common forms are parsed here, deterministically: "明天", "明早", "后天", "一周后", "周五",
"下周三上午", "12月3号", "12.3", "2026-12-03", "下个月3号", "3号", "月底", lunar dates ("农历七月
初七"), and named days ("情人节", "520", "七夕", "中秋"…). Everything else goes to ``jionlp``
(imported on first use: it takes ~0.4 s).

A date said without a year means its next occurrence, today included: on 2026-11-28 "5月20号" is
2027-05-20 (jionlp would answer 2026-05-20, and does so for lunar festivals even with
``ret_future``). Whether the date is bookable (past, too far ahead, a holiday) is the caller's call.

Lunar festivals (七夕 is the 7th day of the 7th lunar month) are converted with
``jionlp.lunar2solar``, which works offline (``zhtext.lunar``). The words and patterns are
``zhtext.date_words``; which day each pattern means, ``zhtext.date_resolvers``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from zhtext.date_resolvers import INVALID, find_own
from zhtext.date_words import AM, ISO, LUNAR_WORDS, PAST_WORDS, PM, TIME_OF_DAY, WEEKEND, make_date
from zhtext.lunar import load_jionlp

__all__ = ["HalfDay", "ParsedDate", "parse_date", "parse_half_day"]

HalfDay = Literal["am", "pm"]


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
    is_am = bool(AM.search(cleaned))
    is_pm = bool(PM.search(cleaned))
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
    found = find_own(cleaned, today)
    if found is INVALID:
        return None
    day = found if isinstance(found, dt.date) else _ask_jionlp(cleaned, today)
    if day is None:
        return None
    return ParsedDate(day, parse_half_day(cleaned))


def _ask_jionlp(text: str, today: dt.date) -> dt.date | None:
    """Fallback for rarer phrasings; only a single named day is accepted."""
    if WEEKEND.search(text):
        return None  # "周末" is two days: let the caller ask which one
    text = TIME_OF_DAY.sub(" ", text)  # alone, jionlp reads "上午" as "this morning"
    if not text.strip():
        return None
    try:
        found = load_jionlp().ner.extract_time(
            text, time_base=dt.datetime.combine(today, dt.time(12))
        )
    except Exception:  # jionlp raises bare Exceptions on input it cannot read
        return None
    for entity in _iter_time_points(found):
        start, end = (dt.datetime.fromisoformat(t).date() for t in entity["detail"]["time"])
        if start != end:
            continue
        if start < today and not PAST_WORDS.search(text) and not ISO.search(text):
            if LUNAR_WORDS.search(text):
                # A lunar date a calendar year on is a different day; it is not guessed.
                return None
            # jionlp resolves year-less dates to the current year; bookings mean the next one.
            start = make_date(start.year + 1, start.month, start.day) or start
        return start
    return None


def _iter_time_points(found: Any) -> Iterator[dict[str, Any]]:
    for entity in found if isinstance(found, list) else []:
        detail = entity.get("detail") if isinstance(entity, dict) else None
        if isinstance(detail, dict) and detail.get("type") == "time_point":
            yield entity


def _prepare(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()
