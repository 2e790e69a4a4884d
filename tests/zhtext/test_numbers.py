from __future__ import annotations

from decimal import Decimal

import pytest

from zhtext.numbers import Money, parse_count, parse_money, parse_money_ceiling


@pytest.mark.parametrize(
    ("text", "value", "approximate", "period"),
    [
        # from the library notes: what cn2an alone gets wrong or leaves as text
        ("三千五", "3500", False, None),
        ("一万二", "12000", False, None),
        ("两百块", "200", False, None),
        ("五百元整", "500", False, None),
        ("1千块", "1000", False, None),
        ("3.5万", "35000", False, None),
        ("四千多", "4000", True, None),
        ("大概三千", "3000", True, None),
        ("三千左右", "3000", True, None),
        ("一年五万左右", "50000", True, "year"),
        ("月入4k", "4000", False, "month"),
        # more ways of writing the number
        ("3000", "3000", False, None),
        ("3,500元", "3500", False, None),
        ("¥3500", "3500", False, None),
        ("两千五百", "2500", False, None),
        ("一千零五十", "1050", False, None),
        ("三点五万", "35000", False, None),
        ("3千5", "3500", False, None),
        ("1万2", "12000", False, None),
        ("1.5k", "1500", False, None),
        ("月薪1w2", "12000", False, "month"),
        ("壹仟贰佰元", "1200", False, None),
        ("12.5元", "12.5", False, None),
        # hedges
        ("三千来块", "3000", True, None),
        ("三千几", "3000", True, None),
        ("两千出头", "2000", True, None),
        ("将近两千", "2000", True, None),
        ("退休金2000多", "2000", True, None),
        ("三千块左右", "3000", True, None),
        # ranges give the midpoint and are approximate
        ("三到五千", "4000", True, None),
        ("3000-5000", "4000", True, None),
        ("两千到三千", "2500", True, None),
        # two neighbouring digits before 百/千/万 are a range too
        ("七八千", "7500", True, None),
        ("五六千块", "5500", True, None),
        ("三四千左右", "3500", True, None),
        ("一两万", "15000", True, None),
        ("一万五六千", "15500", True, None),
        ("三五千", "4000", True, None),
        # periods, before or after the number
        ("年收入3.5万", "35000", False, "year"),
        ("五万一年", "50000", False, "year"),
        ("每个月两千五", "2500", False, "month"),
        ("三千块一个月", "3000", False, "month"),
        ("5万/年", "50000", False, "year"),
        ("老年人每月一千八", "1800", False, "month"),
        # counts of people or months are not the amount
        ("两口人每月三千", "3000", False, "month"),
        ("我参加了工作,月入三千", "3000", False, "month"),
        # nothing
        ("0", "0", False, None),
        ("0元", "0", False, None),
        ("零", "0", False, None),
        ("无", "0", False, None),
        ("没有", "0", False, None),
        ("没有收入", "0", False, None),
        ("目前没有任何收入", "0", False, None),
        ("一分钱都没有", "0", False, None),
        ("一点钱都没有", "0", False, None),
        ("收入为零", "0", False, None),
    ],
)
def test_parse_money(text: str, value: str, approximate: bool, period: str | None) -> None:
    assert parse_money(text) == Money(Decimal(value), approximate, period)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    ["", "不知道", "一家三口", "3个月", "好的", "百", "问一下低保", "没想好要说", "七八十岁"],
)
def test_parse_money_without_an_amount(text: str) -> None:
    assert parse_money(text) is None


@pytest.mark.parametrize(
    ("text", "minimum", "ceiling"),
    [
        ("七八千", 0, "8000"),
        ("五六千块", 0, "6000"),
        ("预算六七千", 0, "7000"),
        ("三四千左右", 0, "4000"),
        ("一万出头", 0, "10000"),
        ("8k", 0, "8000"),
        ("8K以内", 0, "8000"),
        ("三到五千", 0, "5000"),
        ("3000-5000", 0, "5000"),
        ("五千", 0, "5000"),
        ("一万五六千", 0, "16000"),
        # amounts below the minimum are skipped: ages and floors are not budgets
        ("我爸八十多了一个月一万出头", 500, "10000"),
        ("老人八十多了预算七八千", 500, "8000"),
        ("住3楼，五千以内", 500, "5000"),
    ],
)
def test_parse_money_ceiling_reads_the_upper_end(text: str, minimum: int, ceiling: str) -> None:
    money = parse_money_ceiling(text, minimum=minimum)
    assert money is not None
    assert money.value == Decimal(ceiling)


@pytest.mark.parametrize(
    ("text", "minimum"),
    [("八十多了", 500), ("七八十岁", 0), ("一天两百", 0), ("没有", 500), ("不知道", 0)],
)
def test_parse_money_ceiling_without_an_amount(text: str, minimum: int) -> None:
    assert parse_money_ceiling(text, minimum=minimum) is None


def test_parse_money_ceiling_keeps_the_period_and_the_hedge() -> None:
    money = parse_money_ceiling("一年十万左右", minimum=500)
    assert money == Money(Decimal(100000), True, "year")
    assert parse_money_ceiling("没有", minimum=0) == Money(Decimal(0))


@pytest.mark.parametrize(
    "text", ["一天两百", "每天150块", "日薪两百", "一周一千", "周薪800", "200元/天", "时薪二十"]
)
def test_parse_money_refuses_daily_and_weekly_amounts(text: str) -> None:
    # Money.period has no "day" or "week": read as monthly they would understate income.
    assert parse_money(text) is None


def test_parse_money_value_is_integral_when_no_fraction_was_said() -> None:
    money = parse_money("3.5万")
    assert money is not None
    assert str(money.value) == "35000"


@pytest.mark.parametrize(
    ("money", "monthly"),
    [
        (Money(Decimal(60000), period="year"), Decimal("5000.00")),
        (Money(Decimal(50000), period="year"), Decimal("4166.67")),
        (Money(Decimal(3000), period="month"), Decimal(3000)),
        (Money(Decimal(3000)), Decimal(3000)),
    ],
)
def test_per_month(money: Money, monthly: Decimal) -> None:
    assert money.per_month() == monthly


def test_money_is_frozen() -> None:
    money = Money(Decimal(1))
    with pytest.raises(AttributeError):
        money.value = Decimal(2)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("三口人", 3),
        ("5个人", 5),
        ("两个", 2),
        ("一家三口", 3),
        ("我们家四口人，两个孩子", 4),
        ("老两口", 2),
        ("就我一个人", 1),
        ("我自己", 1),
        ("独居", 1),
        ("3", 3),
        ("三", 3),
        ("十二口人", 12),
        ("6 位", 6),
    ],
)
def test_parse_count(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize("text", ["", "不知道", "零个", "0", "100个人", "很多人"])
def test_parse_count_rejects(text: str) -> None:
    assert parse_count(text) is None
