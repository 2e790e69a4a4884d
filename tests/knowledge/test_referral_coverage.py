"""make kb-check warns about an article question that no topic's referral words reach."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge.check import run_checks
from knowledge.loader import KnowledgeBase
from knowledge.referral_coverage import check_referral_coverage

REFERRALS = {
    "referrals": {
        "marriage": {
            "office": "区婚姻登记处",
            "contacts": ["hotline-12345"],
            "keywords": ["离婚", "结婚", "婚姻登记", "冷静期"],
        },
        "assistance": {
            "office": "街道社会救助窗口",
            "contacts": ["hotline-12345"],
            "keywords": ["低保"],
        },
    }
}


def _write_referrals(root: Path, document: dict[str, Any]) -> None:
    (root / "referrals.yml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
    )


def _coverage_lines(root: Path) -> list[str]:
    findings = run_checks(root, today=date(2026, 11, 28), regression=False)
    return [f.describe(root.parent) for f in findings if "referrals.yml" in f.message]


def test_every_shipped_title_and_question_names_a_topic(real_kb: KnowledgeBase) -> None:
    assert real_kb.referrals is not None
    missing = [finding.message for finding in check_referral_coverage(real_kb)]
    assert missing == []


def test_a_question_no_topic_reaches_is_pointed_at(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    _write_referrals(small_kb, REFERRALS)
    assert _coverage_lines(small_kb) == []
    write(
        make_article(
            id="marriage-booking",
            title="怎么预约婚姻登记？",
            questions=[
                "结婚登记在哪里预约",
                "领证要提前多久约",
                "网上怎么预约结婚",
                "离婚要预约吗",
            ],
        )
    )
    lines = _coverage_lines(small_kb)
    assert len(lines) == 1
    where, level, message = lines[0].split(": ", 2)
    assert level == "警告" and "领证要提前多久约" in message and "「marriage」" in message
    path, line = where.rsplit(":", 1)
    text = (small_kb.parent / path).read_text(encoding="utf-8").splitlines()
    assert "领证要提前多久约" in text[int(line) - 1]


def test_a_question_another_department_would_claim_is_pointed_at(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    referrals = {
        **REFERRALS,
        "other_agencies": {
            "human-resources": {
                "office": "人力社保部门",
                "contacts": ["hotline-12345"],
                "keywords": ["养老保险", "社保"],
            }
        },
    }
    _write_referrals(small_kb, referrals)
    assert _coverage_lines(small_kb) == []
    write(
        make_article(
            id="marriage-pension",
            title="离婚后养老保险怎么分？",
            questions=[
                "离婚时养老保险算不算共同财产",
                "结婚以后社保和养老保险要改什么",  # two department words, one civil
                "离婚了养老保险还能续交吗",
                "结婚登记会影响养老保险吗",
            ],
        )
    )
    lines = _coverage_lines(small_kb)
    assert len(lines) == 1
    assert "结婚以后社保和养老保险要改什么" in lines[0] and "人力社保部门" in lines[0]


def test_without_referrals_nothing_is_said(small_kb: Path) -> None:
    assert not (small_kb / "referrals.yml").exists()
    assert _coverage_lines(small_kb) == []
