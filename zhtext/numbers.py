"""Money amounts and head counts as citizens type them in Chinese.

Built around ``cn2an`` (Chinese numerals → numbers), with the handling it lacks: digits mixed with
units ("1千块", "3.5万", "月入4k"), approximations ("四千多", "大概三千", "三千左右"), the
period an amount refers to ("一年五万左右" → per year), ranges ("三到五千", and two neighbouring
digits before a unit: "七八千", "一两万") and the ways of saying "nothing" ("没有收入", "无", "0").

``parse_money`` and ``parse_count`` expect one answer to one question (a form slot), not a whole
paragraph: the first amount found wins. ``parse_money_ceiling`` reads the most a citizen means to
pay ("七八千" → 8000) and skips amounts below a minimum ("八十多了，预算七八千": the age is not it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

import cn2an

from zhtext.digits import CN_DIGIT_VALUE

__all__ = ["Money", "Period", "parse_count", "parse_money", "parse_money_ceiling"]

Period = Literal["month", "year"]

_CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_CN_UNITS = "十百千万亿拾佰仟萬"
_NUMBER = re.compile(
    rf"[0-9{_CN_DIGITS}{_CN_UNITS}]+"
    rf"(?:[.点][0-9{_CN_DIGITS}]+[{_CN_UNITS}]*)?"
)
# A number directly followed by one of these counts people, months, days… — not money.
_NOT_MONEY_AFTER = re.compile(r"\s*[口个人位名岁号日年月天周次套间家点分倍%]")
_MONEY_UNIT_AFTER = re.compile(r"\s*(?:块|元|圆|多|来|左右|到|至|-|~)")
_YEAR_MARKER = re.compile(
    r"(?:每|一|1|全)个?年(?:收入|工资|薪水|薪|入|均|下来)?|年(?:收入|工资|薪水|薪|入|均)|/年"
)
_MONTH_MARKER = re.compile(
    r"(?:每|一|1)个?月(?:收入|工资|薪水|薪|入|均|下来)?|月(?:收入|工资|薪水|薪|入|均)|/月"
)
_DAY_OR_WEEK = re.compile(
    r"(?:每|一|1)个?(?:天|日|周|星期|礼拜)|(?:日|周)薪|/(?:天|日|周)|按(?:天|日|周)|时薪|每小时"
)
_PERIOD_MARKERS: tuple[tuple[re.Pattern[str], Period], ...] = (
    (_YEAR_MARKER, "year"),
    (_MONTH_MARKER, "month"),
)
_APPROX_ANYWHERE = re.compile(
    r"左右|上下|大概|大约|约|差不多|估计|将近|接近|出头|不到|不足|至少|最多|顶多|起码|可能|大致"
)
_APPROX_SUFFIX = re.compile(r"\s*(?:块钱?|元)?\s*(?:多|余|来|几)")
_RANGE = re.compile(rf"\s*(?:到|至|-|~|〜|—)\s*(?={_NUMBER.pattern})")
# OpenCC turns the financial numeral 參 into 参; only next to a financial unit is it a number.
_FINANCIAL_THREE = re.compile(r"参(?=[仟佰拾万萬亿元])|(?<=[壹贰叁肆伍陆柒捌玖仟佰拾万萬亿零])参")
_THOUSANDS_SEPARATOR = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_K_OR_W = re.compile(r"(?<=\d)\s*([kKwW])(?![a-zA-Z])")
_FILLER = re.compile(
    r"[\s,.!?;:、，。！？；：~…的了啊呢吧哦嗯呀]|目前|现在|暂时|基本|完全|都|也|任何"
)
_NOTHING = re.compile(
    r"(?:一分钱|一点钱|一分|分文)?(?:没有|没|无|零|暂无)(?:任何)?"
    r"(?:收入|工资|钱|进账|固定收入|经济来源|收入来源)?(?:没有)?"
    r"|(?:收入|工资)(?:为|是)?(?:零|无|没有|0)"
)
_DIGIT_UNIT = re.compile(r"(\d+(?:\.\d+)?)([百千万亿])?(\d)?")
_CN_DECIMAL = re.compile(rf"([{_CN_DIGITS}十]+)点([{_CN_DIGITS}]+)([百千万亿]?)")
_UNIT_VALUE = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
# Two neighbouring digits before 百/千/万 are a range: "七八千" is 7000–8000, "一万五六千"
# 15000–16000. Not before 十: "七八十" is far more often an age than an amount of money.
_DIGIT_PAIR = re.compile(
    r"(?P<lead>.*[万])?(?P<first>[一二两三四五六七八])(?P<second>[二两三四五六七八九])(?P<unit>[百千万])"
)
# "三五千" (three to five thousand) is said as often as the neighbouring pairs.
_PAIR_GAPS = {1}
_LOOSE_PAIRS = {(3, 5)}

_COUNT = re.compile(rf"([0-9{_CN_DIGITS}十]+)\s*(?:口|个|位|名|人)")
_ALONE = re.compile(r"自己|独居|独自|一人户|孤寡|单身|就我|只有我")
_MAX_HOUSEHOLD = 50


@dataclass(frozen=True)
class Money:
    """An amount of money in yuan, as far as the citizen said it.

    Attributes:
        value: Amount in yuan (integral when no fraction was said).
        approximate: True when the citizen hedged ("多", "左右", "大概", a range).
        period: "month" or "year" when said ("月入", "一年"), otherwise None.
    """

    value: Decimal
    approximate: bool = False
    period: Period | None = None

    def per_month(self) -> Decimal:
        """Return the monthly amount: a yearly amount divided by 12, rounded to the fen.

        An amount without a period is taken as monthly, because the questions ask for months.
        """
        if self.period == "year":
            return (self.value / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return self.value


def parse_money(text: str) -> Money | None:
    """Parse an amount of money from a citizen's answer.

    Args:
        text: The answer, e.g. "三千五", "四千多", "一年五万左右", "月入4k", "没有收入".

    Returns:
        The amount (the midpoint of a range: "七八千" → 7500), or None when the text holds no
        amount (also when it only counts people, months or days, e.g. "三口人"), and when the
        amount is per day, week or hour ("一天两百"): the caller should then ask for a monthly
        figure.
    """
    for reading in _readings(text):
        return reading.midpoint
    return _nothing(text)


def parse_money_ceiling(text: str, *, minimum: Decimal | int = 0) -> Money | None:
    """The most a citizen means to pay: the upper end of an amount or range, e.g. a budget cap.

    Args:
        text: E.g. "七八千" (→ 8000), "三到五千" (→ 5000), "五六千块", "一万出头" (→ 10000),
            "8k", "我妈八十多了，每月七八千" (→ 8000: the age is below ``minimum``).
        minimum: Amounts whose monthly value is below it are skipped (ages, floors, counts
            that the text does not mark as such).

    Returns:
        The first amount at least ``minimum`` per month (its upper end for a range, marked
        approximate), "nothing" as 0 when ``minimum`` allows it, else None. Daily and weekly
        amounts give None as in :func:`parse_money`.
    """
    for reading in _readings(text):
        if reading.ceiling.per_month() >= minimum:
            return reading.ceiling
    nothing = _nothing(text)
    return nothing if nothing is not None and minimum <= 0 else None


@dataclass(frozen=True)
class _Reading:
    """One amount found in a text: its lower and upper end (equal unless a range was said)."""

    low: Decimal
    high: Decimal
    is_range: bool
    approximate: bool
    period: Period | None

    @property
    def midpoint(self) -> Money:
        value = _tidy((self.low + self.high) / 2) if self.is_range else self.low
        return Money(value, self.approximate, self.period)

    @property
    def ceiling(self) -> Money:
        return Money(self.high, self.approximate, self.period)


def _readings(text: str) -> Iterator[_Reading]:
    """Every amount of money in ``text``, in order (none when it speaks of days or weeks)."""
    cleaned = _prepare(text)
    if _DAY_OR_WEEK.search(cleaned):
        return  # a daily or weekly wage read as monthly would understate income
    masked, periods = _mask_periods(cleaned)
    for match in _NUMBER.finditer(masked):
        if _NOT_MONEY_AFTER.match(masked, match.end()) or _is_stray_numeral(masked, match):
            continue
        bounds = _bounds(masked, match)
        if bounds is None:
            continue
        low, high, is_range = bounds
        approximate = (
            is_range
            or bool(_APPROX_ANYWHERE.search(cleaned))
            or bool(_APPROX_SUFFIX.match(masked, match.end()))
        )
        period = _nearest_period(periods, match.start(), match.end())
        yield _Reading(low, high, is_range, approximate, period)


def _nothing(text: str) -> Money | None:
    return Money(Decimal(0)) if _says_nothing(_prepare(text)) else None


def parse_count(text: str) -> int | None:
    """Parse a number of people ("三口人", "5个人", "两个", "一家三口", "就我自己").

    Args:
        text: The answer to "how many people live in your household?".

    Returns:
        The count (1–50), or None when there is none or it is out of range.
    """
    cleaned = _prepare(text)
    match = _COUNT.search(cleaned)
    if match is not None:
        count = _to_int(match.group(1))
    elif _ALONE.search(cleaned):
        count = 1
    elif re.fullmatch(rf"[0-9{_CN_DIGITS}十]+", cleaned):
        count = _to_int(cleaned)
    else:
        return None
    if count is None or not 1 <= count <= _MAX_HOUSEHOLD:
        return None
    return count


def _prepare(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", text).strip()
    cleaned = _FINANCIAL_THREE.sub("叁", cleaned)
    cleaned = _THOUSANDS_SEPARATOR.sub("", cleaned)
    return _K_OR_W.sub(lambda m: "千" if m.group(1) in "kK" else "万", cleaned)


def _is_stray_numeral(text: str, match: re.Match[str]) -> bool:
    """A lone Chinese digit inside words ("问一下", "一些") is not an amount; "五块" is."""
    span = match.group(0)
    if len(span) != 1 or span not in _CN_DIGITS or span == text.strip():
        return False
    return not _MONEY_UNIT_AFTER.match(text, match.end())


def _mask_periods(text: str) -> tuple[str, list[tuple[int, Period]]]:
    """Blank out period words so "一年五万" does not read as the number "一"."""
    periods: list[tuple[int, Period]] = []
    chars = list(text)
    for pattern, period in _PERIOD_MARKERS:
        for match in pattern.finditer(text):
            periods.append((match.start(), period))
            chars[match.start() : match.end()] = "|" * (match.end() - match.start())
    return "".join(chars), periods


def _nearest_period(periods: list[tuple[int, Period]], start: int, end: int) -> Period | None:
    if not periods:
        return None
    _, period = min(periods, key=lambda p: min(abs(p[0] - start), abs(p[0] - end)))
    return period


def _bounds(text: str, match: re.Match[str]) -> tuple[Decimal, Decimal, bool] | None:
    """Lower and upper end of the number at ``match`` and whether it is a range.

    "三到五千" → 3000–5000 (the unit of the upper bound applies to both), "七八千" → 7000–8000.
    """
    pair = _digit_pair(match.group(0))
    if pair is not None:
        return pair[0], pair[1], True
    low = _to_decimal(match.group(0))
    if low is None:
        return None
    connector = _RANGE.match(text, match.end())
    if connector is None:
        return low, low, False
    upper_match = _NUMBER.match(text, connector.end())
    high = _to_decimal(upper_match.group(0)) if upper_match else None
    if high is None:
        return low, low, False
    unit = upper_match.group(0)[-1] if upper_match else ""
    if unit in _UNIT_VALUE and not any(u in match.group(0) for u in _CN_UNITS + "."):
        low = low * _UNIT_VALUE[unit]  # "三到五千": the unit of the upper bound applies to both
    return low, high, True


def _digit_pair(number: str) -> tuple[Decimal, Decimal] | None:
    """The range of two neighbouring digits: "七八千" → (7000, 8000), "一万五六千" → 15000–16000."""
    found = _DIGIT_PAIR.fullmatch(number)
    if found is None:
        return None
    first, second = CN_DIGIT_VALUE[found["first"]], CN_DIGIT_VALUE[found["second"]]
    if second - first not in _PAIR_GAPS and (first, second) not in _LOOSE_PAIRS:
        return None
    unit = _UNIT_VALUE[found["unit"]]
    lead = Decimal(0)
    if found["lead"]:
        parsed = _to_decimal(found["lead"])
        if parsed is None or unit >= _UNIT_VALUE["万"]:
            return None  # "一万七八万" is not a number
        lead = parsed
    return _tidy(lead + first * unit), _tidy(lead + second * unit)


def _to_decimal(number: str) -> Decimal | None:
    number = number.rstrip(".")
    if not number:
        return None
    digit_unit = _DIGIT_UNIT.fullmatch(number)
    if digit_unit is not None:
        base, unit, tail = digit_unit.groups()
        multiplier = _UNIT_VALUE[unit] if unit else 1
        if tail is not None and multiplier == 1:
            return None
        value = Decimal(base) * multiplier
        if tail is not None:
            value += Decimal(tail) * multiplier / 10  # "3千5" → 3500, "1万2" → 12000
        return _tidy(value)
    cn_decimal = _CN_DECIMAL.fullmatch(number)
    if cn_decimal is not None:
        whole = _cn2an(cn_decimal.group(1))
        if whole is None:
            return None
        fraction = "".join(str(CN_DIGIT_VALUE.get(c, 0)) for c in cn_decimal.group(2))
        unit = cn_decimal.group(3)
        return _tidy(Decimal(f"{whole}.{fraction}") * (_UNIT_VALUE[unit] if unit else 1))
    return _cn2an(number)


def _cn2an(number: str) -> Decimal | None:
    try:
        value = cn2an.cn2an(number, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    try:
        return _tidy(Decimal(str(value)))
    except InvalidOperation:
        return None


def _tidy(value: Decimal) -> Decimal:
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _to_int(number: str) -> int | None:
    value = _to_decimal(number)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def _says_nothing(text: str) -> bool:
    return bool(_NOTHING.fullmatch(_FILLER.sub("", text)))
