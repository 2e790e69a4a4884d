"""Source quality in kb-check: openable sources, and "official" kept for official texts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from knowledge.check import run_checks
from knowledge.loader import KnowledgeBase

TODAY = date(2026, 11, 28)


def _findings(root: Path) -> list[tuple[str, str]]:
    found = run_checks(root, today=TODAY, regression=False)
    return [(f.level, f.message) for f in found]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"title": "《婚姻登记条例》", "confidence": "press"}, "来源没有网址"),
        (
            {"title": "杭州新闻", "url": "https://zjnews.zjol.com.cn/a", "confidence": "official"},
            "confidence: official 只用于",
        ),
    ],
)
def test_unlinked_or_falsely_official_sources_are_errors(
    small_kb: Path,
    write: Callable[..., Path],
    make_article: Callable[..., dict[str, Any]],
    source: dict[str, str],
    expected: str,
) -> None:
    write(make_article(source=source))
    findings = _findings(small_kb)
    assert [level for level, _ in findings] == ["错误"]
    assert expected in findings[0][1]


@pytest.mark.parametrize(
    "source",
    [
        {
            "title": "乳山市人民政府",
            "url": "http://www.rushan.gov.cn/a.html",
            "confidence": "official",
        },
        {
            "title": "杭州市人民政府办公厅实施意见（杭政办函〔2025〕70号，杭州网转载）",
            "url": "https://z.hangzhou.com.cn/a.htm",
            "confidence": "official",
        },
    ],
)
def test_government_pages_and_reproduced_documents_may_be_official(
    small_kb: Path,
    write: Callable[..., Path],
    make_article: Callable[..., dict[str, Any]],
    source: dict[str, str],
) -> None:
    write(make_article(source=source))
    assert _findings(small_kb) == []


def test_sample_articles_without_a_link_are_listed(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    write(
        make_article(
            answer="每月补贴多少请问街道（示例内容，待核实）。\n",
            source={"title": "示例：没有来源", "confidence": "sample"},
            sample=True,
        )
    )
    assert _findings(small_kb) == [
        ("警告", "示例文章的来源没有网址（待核实后补上）：marriage-fees")
    ]


def test_every_verified_article_of_the_knowledge_base_links_its_source(
    real_kb: KnowledgeBase,
) -> None:
    unlinked = [a.id for a in real_kb if not a.sample and a.source.url is None]
    assert unlinked == []
