"""The words and patterns of dates and half-days as citizens say them (tables, no logic).

Read by ``zhtext.date_resolvers`` (which day each pattern means) and ``zhtext.dates`` (the
entry points and the jionlp fallback).
"""

from __future__ import annotations

import datetime as dt
import re

NUM = r"\d{1,2}|[一二两三四五六七八九十]{1,3}"
YEAR_WORD = r"(?P<rel_year>今年|明年|后年)?"
ISO = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*"
    r"(?P<d>\d{1,2})(?!\d)\s*[日号]?"
)
MONTH_DAY = re.compile(rf"{YEAR_WORD}\s*(?P<m>{NUM})\s*月份?\s*(?P<d>{NUM})\s*[日号]?")
RELATIVE_MONTH_DAY = re.compile(
    rf"(?P<rel_month>下下个?月|下个?月|这个?月|本月)\s*的?\s*(?P<d>{NUM})\s*[日号]?"
)
DOTTED = re.compile(r"(?<![\d./-])(?P<m>\d{1,2})\s*[./-]\s*(?P<d>\d{1,2})(?![\d./-])")
DAY_ONLY = re.compile(rf"(?<![\d月])(?P<d>{NUM})\s*[日号]")
RELATIVE_DAY = re.compile(rf"大后天|后天|明天|明日|明儿|明早|今天|今日|(?P<n>{NUM})\s*天[以之]?后")
RELATIVE_WEEK = re.compile(rf"(?P<n>{NUM})\s*个?\s*(?:周|星期|礼拜)\s*[以之]?后")
# "月底" is the last day of this month; "下个月底" of the next; "一月底" of the next January.
# Whether it is a working day is the caller's call.
MONTH_END = re.compile(
    rf"(?:(?P<rel_month>下下个?月|下个?月|这个?月|本月)\s*的?\s*|(?P<m>{NUM})\s*月\s*|月)[底末]"
)
# "农历七月初七", "阴历八月十五", "农历腊月二十三": a lunar month and day, converted to the
# calendar.
LUNAR_MONTH = r"正|冬|腊|十[一二]|[一二三四五六七八九十]|1[0-2]|[1-9]"
LUNAR_DAY = (
    r"初[一二三四五六七八九十]|廿[一二三四五六七八九]|二十[一二三四五六七八九]?|三十"
    r"|十[一二三四五六七八九]?|[12]\d|30|[1-9]"
)
LUNAR_DATE = re.compile(
    rf"(?:农历|阴历|旧历)\s*(?P<lm>{LUNAR_MONTH})\s*月\s*(?P<ld>{LUNAR_DAY})\s*[日号]?"
)
LUNAR_WORDS = re.compile(r"农历|阴历|旧历")
WEEKDAY = re.compile(
    r"(?P<week>下下个?|下个?|这个?|本|这一)?\s*(?:(?:周|星期|礼拜)\s*的\s*)?"
    r"(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"
)
PAST_WORDS = re.compile(r"昨|前天|上周|上个|上星期|上礼拜|去年|前年|以前|之前")
WEEKEND = re.compile(r"周末|礼拜六日|双休日")
TIME_OF_DAY = re.compile(
    r"上午|早上|早晨|清早|一早|明早|中午|下午|午后|傍晚|晚上|夜里|上半天|下半天"
)
AM = re.compile(r"上午|早上|早晨|清早|一早|明早|上半天|上半日|\bam\b|a\.m\.|morning")
PM = re.compile(r"下午|午后|下半天|下半日|\bpm\b|p\.m\.|afternoon")

WEEKDAY_INDEX = (
    {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6} | {str(i + 1): i for i in range(7)}
)
YEAR_OFFSET = {"今年": 0, "明年": 1, "后年": 2}
MONTH_OFFSET = {
    "这月": 0,
    "这个月": 0,
    "本月": 0,
    "下月": 1,
    "下个月": 1,
    "下下月": 2,
    "下下个月": 2,
}
DAY_OFFSET = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "后天": 2}
DAY_OFFSET |= {"大后天": 3}
LUNAR_MONTH_WORDS = {"正": 1, "冬": 11, "腊": 12}
WEEK_OFFSET = {"": 0, "这": 0, "这个": 0, "本": 0, "这一": 0, "下": 1, "下个": 1, "下下": 2}
WEEK_OFFSET |= {"下下个": 2}

# Named days: (month, day, is_lunar). 除夕 is handled as "the day before 春节".
SOLAR_DAYS = {
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
LUNAR_DAYS = {
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
NEW_YEARS_EVE = ("除夕", "大年三十", "年三十")
NAMED_DAY = re.compile(
    rf"{YEAR_WORD}\s*(?P<name>"
    + "|".join(
        re.escape(n)
        for n in sorted([*SOLAR_DAYS, *LUNAR_DAYS, *NEW_YEARS_EVE], key=len, reverse=True)
    ).replace("520", r"(?<!\d)520(?!\d)")
    + rf")(?:\s*(?P<shift>[前后])\s*(?P<shift_days>{NUM})\s*天)?"
)


def small_int(number: str) -> int:
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


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when it does not exist ("2月30号")."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
