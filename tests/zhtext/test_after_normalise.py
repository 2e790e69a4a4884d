"""Traditional and full-width input, as the gateway hands it on after `zhtext.normalise`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhtext.dates import ParsedDate, parse_date
from zhtext.idcard import validate_id_number
from zhtext.normalise import normalise
from zhtext.numbers import Money, parse_count, parse_money
from zhtext.phone import parse_phone
from zhtext.places import find_district


def _gateway(text: str) -> str:
    return normalise(text, max_chars=200).text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("下週三上午", ParsedDate(date(2026, 12, 2), "am")),
        ("禮拜五下午", ParsedDate(date(2026, 12, 4), "pm")),
        ("後天早上", ParsedDate(date(2026, 11, 30), "am")),
        ("１２月３號下午", ParsedDate(date(2026, 12, 3), "pm")),
        ("２０２６－１２－０３", ParsedDate(date(2026, 12, 3))),
        ("情人節", ParsedDate(date(2027, 2, 14))),
    ],
)
def test_dates(typed: str, expected: ParsedDate) -> None:
    assert parse_date(_gateway(typed), today=date(2026, 11, 28)) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("參仟伍佰元", Money(Decimal(3500))),
        ("一年五萬左右", Money(Decimal(50000), True, "year")),
        ("月入４ｋ", Money(Decimal(4000), False, "month")),
        ("３，５００元", Money(Decimal(3500))),
        ("沒有收入", Money(Decimal(0))),
    ],
)
def test_money(typed: str, expected: Money) -> None:
    assert parse_money(_gateway(typed)) == expected


def test_count() -> None:
    assert parse_count(_gateway("兩個人")) == 2


def test_phone_and_id() -> None:
    assert parse_phone(_gateway("電話：１３８ １２３４ ５６７８")).number == "13812345678"
    assert validate_id_number(_gateway("１１０１０５１９４９１２３１００２ｘ")).valid


@pytest.mark.parametrize(
    ("typed", "codes"),
    [("西湖區文三路", ["xihu"]), ("下城區", ["gongshu"]), ("江干區", ["shangcheng", "qiantang"])],
)
def test_districts(typed: str, codes: list[str]) -> None:
    match = find_district(_gateway(typed))
    assert match is not None
    assert [d.code for d in match.candidates] == codes
