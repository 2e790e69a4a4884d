"""Reading pre-screen answers: amounts, assets, circumstances, districts, corrections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from actions.prescreen import answers


@pytest.mark.parametrize(
    ("text", "value", "approximate"),
    [
        ("三千五", "3500", False),
        ("四千多", "4000", True),
        ("一年五万左右", "4166.67", True),
        ("没有收入", "0", False),
        ("月入4k", "4000", False),
        ("退休金一千八", "1800", False),
    ],
)
def test_income(text: str, value: str, approximate: bool) -> None:
    reading = answers.read_income(text)
    assert reading.answer is not None
    assert reading.answer["value"] == value
    assert reading.answer["approximate"] is approximate


def test_no_income_but_a_salary_is_a_conflict() -> None:
    reading = answers.read_income("没有收入，就老伴退休金两千")
    assert reading.answer is None
    assert reading.conflicting_amount == Decimal("2000")


@pytest.mark.parametrize("text", ["一天两百", "不清楚", "挺多的"])
def test_income_without_a_monthly_amount(text: str) -> None:
    assert answers.read_income(text).answer is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("没有存款", "0"), ("存款两万左右", "20000"), ("有三万多存款", "30000"), ("没有", "0")],
)
def test_savings(text: str, value: str) -> None:
    answer = answers.read_savings(text)
    assert answer is not None and answer["value"] == value


@pytest.mark.parametrize(
    ("text", "vehicle", "housing"),
    [
        ("都没有", False, False),
        ("有汽车", True, False),
        ("有第二套住房", False, True),
        ("汽车和第二套住房都有", True, True),
        ("有一辆车，没有别的房子", True, False),
        ("只有自己住的一套房", False, False),
        ("有辆电动车", False, False),
        ("没车没房", False, False),
        ("老家还有一套房子", False, True),
    ],
)
def test_assets(text: str, vehicle: bool, housing: bool) -> None:
    answer = answers.read_assets(text)
    assert answer is not None
    assert answer["value"] == {"vehicle": vehicle, "extra_housing": housing}


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("重病", ["serious_illness"]),
        ("老伴重度残疾，孩子上学学费很贵", ["severe_disability", "large_expense"]),
        ("都没有", []),
        ("家里着火了", ["sudden_emergency"]),
        ("无劳动能力、无收入、无法定赡养人", ["no_capacity_no_income_no_supporter"]),
        ("大额医疗或教育支出", ["large_expense"]),
    ],
)
def test_circumstances(text: str, codes: list[str]) -> None:
    answer = answers.read_circumstances(text)
    assert answer is not None and answer["value"] == codes


def test_unrecognised_circumstances_are_not_guessed() -> None:
    assert answers.read_circumstances("今天天气不错") is None


@pytest.mark.parametrize(
    ("text", "code", "residence", "choice"),
    [
        ("西湖区", "xihu", None, False),
        ("户口在萧山", "xiaoshan", None, False),
        ("外地户口，有杭州居住证", None, "permit", False),
        ("外地户口，没有居住证", None, "none", False),
        ("以前是江干区的", None, None, True),
        ("下城", "gongshu", None, False),
    ],
)
def test_district(text: str, code: str | None, residence: str | None, choice: bool) -> None:
    reading = answers.read_district(text)
    assert (reading.district.code if reading.district else None) == code
    assert reading.residence == residence
    assert (reading.match is not None and reading.match.needs_choice) is choice


@pytest.mark.parametrize(
    ("text", "unsure", "refused"),
    [("不清楚", True, False), ("这个我也说不准", True, False), ("不想说", False, True),
     ("这个不方便透露", False, True), ("三千", False, False)],
)  # fmt: skip
def test_unsure_and_refused(text: str, unsure: bool, refused: bool) -> None:
    assert answers.says_unsure(text) is unsure
    assert answers.says_refused(text) is refused


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("收入说错了，是四千", "income", {"status": "given", "value": "4000"}),
        ("家里是四口人，刚才说错了", "household_size", {"status": "given", "value": 4}),
        ("区县改成拱墅区", "district", "gongshu"),
        ("存款改一下", "savings", None),
        ("income", "income", None),
        ("特殊情况说错了，应该是重病", "circumstances", {"value": ["serious_illness"]}),
    ],
)
def test_corrections(text: str, field: answers.Field, value: Any) -> None:
    assert answers.field_named(text) == field
    read: Any = answers.read_field(field, text)
    if isinstance(value, dict):
        assert isinstance(read, dict)
        assert {k: read[k] for k in value} == value
    else:
        assert read == value


def test_a_correction_without_a_field() -> None:
    assert answers.field_named("我说错了") is None
