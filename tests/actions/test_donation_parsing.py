"""Reading donation answers: projects named in words, anonymity, receipts, references, yuan."""

from __future__ import annotations

import pytest

from actions.clients.donation import Project
from actions.donation.parsing import (
    clean_title,
    find_reference,
    match_project,
    receipt_kind_from_text,
    wants_anonymous,
    yuan,
)
from tests.actions.donation_support import PROJECTS


def projects() -> list[Project]:
    return [Project.model_validate(p) for p in PROJECTS]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("edu-lunch-2026", ["edu-lunch-2026"]),
        ("营养午餐", ["edu-lunch-2026"]),
        ("就捐山区学生营养午餐吧", ["edu-lunch-2026"]),
        ("老人助餐那个", ["elder-meal-2026"]),
        ("不限定用途", ["general-fund"]),
        ("哪里最需要就捐哪里", ["general-fund"]),
        ("助学的", ["edu-lunch-2026", "edu-college-2026"]),
        ("大学新生", ["edu-college-2026"]),
        ("随便写点什么", ["general-fund"]),
        ("火星探索", []),
    ],
)
def test_match_project(text: str, codes: list[str]) -> None:
    assert [p.code for p in match_project(text, projects())] == codes


def test_anonymous_and_receipt_kind_and_title() -> None:
    assert wants_anonymous("我想匿名")
    assert wants_anonymous("不留名")
    assert not wants_anonymous("张三")
    assert receipt_kind_from_text("个人") == "person"
    assert receipt_kind_from_text("开给我们公司") == "company"
    assert receipt_kind_from_text("company") == "company"
    assert receipt_kind_from_text("随便") is None
    assert clean_title("杭州某某科技有限公司") == "杭州某某科技有限公司"
    assert clean_title("1") is None


@pytest.mark.parametrize(
    ("text", "reference"),
    [("CS-20261128-0001", "CS-20261128-0001"), ("我的编号是cs20261128 0001", "CS-20261128-0001"),
     ("ＣＳ－２０２６１１２８－０００１", "CS-20261128-0001"), ("20261128", None), ("", None)],
)  # fmt: skip
def test_find_reference(text: str, reference: str | None) -> None:
    assert find_reference(text) == reference


def test_yuan() -> None:
    from decimal import Decimal

    assert yuan(Decimal("200.00")) == "200"
    assert yuan(Decimal("12000")) == "12,000"
    assert yuan(Decimal("1.5")) == "1.50"
