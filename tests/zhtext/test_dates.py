from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from zhtext.dates import ParsedDate, parse_date, parse_half_day
from zhtext.lunar import lunar_to_solar

SATURDAY = date(2026, 11, 28)  # "today" in the brief


@pytest.mark.parametrize(
    ("text", "expected", "half_day"),
    [
        ("今天", date(2026, 11, 28), None),
        ("明天", date(2026, 11, 29), None),
        ("后天", date(2026, 11, 30), None),
        ("大后天", date(2026, 12, 1), None),
        ("三天后", date(2026, 12, 1), None),
        ("两天以后", date(2026, 11, 30), None),
        ("后天早上", date(2026, 11, 30), "am"),
        # weeks start on Monday; "下周" is the next calendar week
        ("下周三", date(2026, 12, 2), None),
        ("下周三上午", date(2026, 12, 2), "am"),
        ("下个星期三下午", date(2026, 12, 2), "pm"),
        ("下周3", date(2026, 12, 2), None),
        ("下下周一", date(2026, 12, 7), None),
        ("下下周的周三", date(2026, 12, 9), None),
        # a bare weekday is the next one, today included
        ("周五下午", date(2026, 12, 4), "pm"),
        ("星期五", date(2026, 12, 4), None),
        ("礼拜五", date(2026, 12, 4), None),
        ("周六", date(2026, 11, 28), None),
        ("周日", date(2026, 11, 29), None),
        ("星期天", date(2026, 11, 29), None),
        # "这周五" is this calendar week's Friday, even when it has passed
        ("这周五", date(2026, 11, 27), None),
        ("本周日", date(2026, 11, 29), None),
        # calendar dates without a year: the next occurrence
        ("12月3号", date(2026, 12, 3), None),
        ("12月3日下午", date(2026, 12, 3), "pm"),
        ("十二月三号", date(2026, 12, 3), None),
        ("12.3", date(2026, 12, 3), None),
        ("12/3", date(2026, 12, 3), None),
        ("5月20号", date(2027, 5, 20), None),
        ("5月20", date(2027, 5, 20), None),
        ("五月二十号", date(2027, 5, 20), None),
        ("11月28号", date(2026, 11, 28), None),
        ("11月27号", date(2027, 11, 27), None),
        ("2月29号", date(2028, 2, 29), None),
        # days of the month
        ("3号", date(2026, 12, 3), None),
        ("28号", date(2026, 11, 28), None),
        ("27号", date(2026, 12, 27), None),
        ("31号", date(2026, 12, 31), None),
        ("三十一号", date(2026, 12, 31), None),
        ("下个月3号", date(2026, 12, 3), None),
        ("下个月的3号", date(2026, 12, 3), None),
        ("这个月30号", date(2026, 11, 30), None),
        # explicit years are kept as said
        ("2026-12-03", date(2026, 12, 3), None),
        ("2026/12/3", date(2026, 12, 3), None),
        ("2026年12月3日上午", date(2026, 12, 3), "am"),
        ("2026-05-20", date(2026, 5, 20), None),
        ("今年5月20号", date(2026, 5, 20), None),
        ("明年5月20号", date(2027, 5, 20), None),
        # named days: the next occurrence
        ("情人节", date(2027, 2, 14), None),
        ("520", date(2027, 5, 20), None),
        ("七夕", date(2027, 8, 8), None),
        ("七夕节上午", date(2027, 8, 8), "am"),
        ("明年七夕", date(2027, 8, 8), None),
        ("元旦", date(2027, 1, 1), None),
        ("春节", date(2027, 2, 6), None),
        ("除夕", date(2027, 2, 5), None),
        ("元宵节", date(2027, 2, 20), None),
        ("中秋", date(2027, 9, 15), None),
        ("重阳节", date(2027, 10, 8), None),
        ("国庆节", date(2027, 10, 1), None),
        ("圣诞节", date(2026, 12, 25), None),
        ("圣诞节后一天", date(2026, 12, 26), None),
        ("除夕前两天", date(2027, 2, 3), None),
        # lunar dates said as such: the next occurrence of that lunar day, not a calendar year on
        ("农历七月初七", date(2027, 8, 8), None),
        ("阴历七月初七下午", date(2027, 8, 8), "pm"),
        ("农历7月7日", date(2027, 8, 8), None),
        ("农历八月十五", date(2027, 9, 15), None),
        ("农历十一月十一", date(2026, 12, 19), None),  # still in this calendar year
        ("农历腊月二十三", date(2027, 1, 30), None),  # the lunar year's last month, next January
        ("农历腊月廿三", date(2027, 1, 30), None),
        ("农历正月初一", date(2027, 2, 6), None),
        # weeks from today
        ("一周后", date(2026, 12, 5), None),
        ("一个星期后", date(2026, 12, 5), None),
        ("两周以后", date(2026, 12, 12), None),
        ("三个礼拜之后", date(2026, 12, 19), None),
        # 明早 is tomorrow morning
        ("明早", date(2026, 11, 29), "am"),
        ("明早九点", date(2026, 11, 29), "am"),
        # the end of a month (its last day; the caller checks whether it is a working day)
        ("月底", date(2026, 11, 30), None),
        ("这个月底", date(2026, 11, 30), None),
        ("本月末", date(2026, 11, 30), None),
        ("下个月底", date(2026, 12, 31), None),
        ("月底上午", date(2026, 11, 30), "am"),
        ("12月底", date(2026, 12, 31), None),
        ("一月底", date(2027, 1, 31), None),
        ("2月底", date(2027, 2, 28), None),
        # free text around the date
        ("我想预约下周三上午在西湖区结婚登记", date(2026, 12, 2), "am"),
        ("日期改成周五", date(2026, 12, 4), None),
        ("帮我约12月3号的", date(2026, 12, 3), None),
    ],
)
def test_parse_date(text: str, expected: date, half_day: str | None) -> None:
    assert parse_date(text, today=SATURDAY) == ParsedDate(expected, half_day)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date(2026, 8, 19), "七夕", date(2026, 8, 19)),  # on the day itself
        (date(2026, 8, 20), "七夕", date(2027, 8, 8)),
        (date(2030, 12, 1), "七夕", date(2031, 8, 24)),
        (date(2026, 12, 4), "周五", date(2026, 12, 4)),
        (date(2026, 11, 29), "下周三", date(2026, 12, 2)),  # Sunday: next week starts tomorrow
        (date(2026, 11, 30), "下周三", date(2026, 12, 9)),
        (date(2026, 12, 30), "1月3号", date(2027, 1, 3)),
        (date(2026, 12, 30), "下个月3号", date(2027, 1, 3)),
        (date(2026, 12, 30), "3号", date(2027, 1, 3)),
        (date(2026, 12, 30), "明天", date(2026, 12, 31)),
        (date(2026, 12, 31), "明天", date(2027, 1, 1)),
        (date(2026, 12, 31), "12.31", date(2026, 12, 31)),
        (date(2027, 1, 31), "31号", date(2027, 1, 31)),
        (date(2027, 2, 1), "30号", date(2027, 3, 30)),  # February has no 30th
        (date(2026, 2, 14), "情人节", date(2026, 2, 14)),
        (date(2026, 8, 19), "农历七月初七", date(2026, 8, 19)),  # on the day itself
        (date(2027, 1, 5), "农历腊月二十三", date(2027, 1, 30)),  # the lunar year begun in 2026
        (date(2027, 2, 1), "农历腊月二十三", date(2028, 1, 19)),
        (date(2026, 12, 15), "月底", date(2026, 12, 31)),
        (date(2026, 12, 15), "下个月底", date(2027, 1, 31)),
        (date(2027, 1, 31), "月底", date(2027, 1, 31)),
        (date(2026, 12, 29), "一周后", date(2027, 1, 5)),
    ],
)
def test_parse_date_relative_to_other_days(today: date, text: str, expected: date) -> None:
    parsed = parse_date(text, today=today)
    assert parsed is not None
    assert parsed.date == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "随便",
        "上午",  # a half-day alone is not a date
        "下午吧",
        "2月30号",
        "13月1号",
        "2026-02-30",
        "32号",
        "周末",  # two days: the caller must ask which
        "下个周末",
    ],
)
def test_parse_date_returns_none(text: str) -> None:
    assert parse_date(text, today=SATURDAY) is None


def test_parse_date_falls_back_to_jionlp_for_rarer_phrasings() -> None:
    assert parse_date("冬至", today=SATURDAY) == ParsedDate(date(2026, 12, 22))
    # jionlp keeps the current year for a day already past; a booking means the next one
    assert parse_date("冬至", today=date(2026, 12, 25)) == ParsedDate(date(2027, 12, 22))


def test_importing_jionlp_prints_nothing_on_stdout() -> None:
    code = (
        "import datetime; from zhtext.dates import parse_date; "
        "parse_date('冬至', today=datetime.date(2026, 11, 28))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "half_day"),
    [
        ("上午", "am"),
        ("早上", "am"),
        ("早晨九点", "am"),
        ("morning", "am"),
        ("AM", "am"),
        ("下午", "pm"),
        ("午后", "pm"),
        ("下午两点", "pm"),
        ("Afternoon", "pm"),
        ("周五下午", "pm"),
        ("上午下午都行", None),
        ("中午", None),
        ("晚上", None),
        ("明天", None),
        ("", None),
    ],
)
def test_parse_half_day(text: str, half_day: str | None) -> None:
    assert parse_half_day(text) == half_day


@pytest.mark.parametrize(
    ("lunar", "solar"),
    [
        ((2026, 1, 1), date(2026, 2, 17)),
        ((2027, 1, 1), date(2027, 2, 6)),
        ((2026, 7, 7), date(2026, 8, 19)),
        ((2027, 7, 7), date(2027, 8, 8)),
        ((2028, 7, 7), date(2028, 8, 26)),
        ((2029, 7, 7), date(2029, 8, 16)),
        ((2030, 7, 7), date(2030, 8, 5)),
        ((2027, 8, 15), date(2027, 9, 15)),
    ],
)
def test_lunar_to_solar(lunar: tuple[int, int, int], solar: date) -> None:
    assert lunar_to_solar(*lunar) == solar


def test_lunar_to_solar_rejects_a_day_that_does_not_exist() -> None:
    with pytest.raises(ValueError, match="lunar"):
        lunar_to_solar(2026, 1, 31)
