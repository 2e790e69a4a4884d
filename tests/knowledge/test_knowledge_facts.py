"""The official-facts suite: real questions through the real retrieval and answer path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge import facts
from knowledge.check import FACTS_DIR, PROJECT_ROOT, run_checks
from knowledge.loader import load_knowledge_base
from knowledge.search import KnowledgeIndex
from knowledge.store import build_index_for

TODAY = date(2026, 11, 28)
SOURCE = {"title": "《民法典》第一千零七十七条", "url": "https://example.gov.cn/1077"}


def _write_cases(folder: Path, *cases: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    items = [{"asked_at": "https://example.org/q", "source": SOURCE} | case for case in cases]
    path = folder / "marriage.yml"
    path.write_text(yaml.safe_dump({"questions": items}, allow_unicode=True), encoding="utf-8")
    return path


def _index(root: Path) -> KnowledgeIndex:
    return build_index_for(load_knowledge_base(root))


def test_a_question_is_complete_only_when_its_article_has_every_fact(
    small_kb: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "facts"
    _write_cases(
        folder,
        {"question": "离婚冷静期多少天", "facts": ["30日", "撤回"]},
        {"question": "离婚冷静期多少天", "facts": ["30日", "视为撤回"]},
        {"question": "明天杭州会下雨吗", "facts": ["雨"]},
    )
    cases, errors = facts.load_cases(folder)
    assert errors == []
    complete, missing, unanswered = facts.run_suite(_index(small_kb), cases)
    assert complete.article_id == "marriage-cooling-off" and complete.complete
    assert missing.article_id == "marriage-cooling-off" and missing.missing == ("视为撤回",)
    assert unanswered.article_id is None and not unanswered.complete
    lines = facts.report([complete, missing, unanswered], set(), tmp_path)
    assert lines[0].startswith("官方事实回归：3 题中 1 题答全")
    assert any("缺：「视为撤回」" in line and "facts/marriage.yml:" in line for line in lines)
    assert any("没有直接回答" in line for line in lines)


def test_kb_check_fails_below_the_bar_and_on_a_lost_question(
    small_kb: Path, tmp_path: Path, write: Callable[..., Path], make_article: Callable[..., Any]
) -> None:
    folder = tmp_path / "facts"
    _write_cases(folder, {"question": "离婚冷静期多少天", "facts": ["30日"]})
    assert run_checks(small_kb, today=TODAY, regression=False, facts_dir=folder) == []
    cases, _ = facts.load_cases(folder)
    facts.write_baseline(folder, facts.run_suite(_index(small_kb), cases))
    assert facts.read_baseline(folder) == {"离婚冷静期多少天"}
    # An editor rewrites the article and drops the figure: the question is lost.
    write(
        make_article(
            id="marriage-cooling-off",
            title="离婚冷静期是多久？",
            questions=["离婚冷静期多少天", "什么是离婚冷静期", "协议离婚等多久", "冷静期过了呢"],
            answer="请向登记处咨询冷静期安排。\n",
        )
    )
    report: list[str] = []
    found = run_checks(
        small_kb, today=TODAY, regression=False, facts_dir=folder, facts_report=report
    )
    messages = [f.message for f in found if f.level == "错误"]
    assert any("以前答全，现在不再答全" in message for message in messages)
    assert any("低于 90%" in message for message in messages)
    assert report[0].startswith("官方事实回归：1 题中 0 题答全")


def test_the_suite_files_are_valid_real_and_sourced() -> None:
    cases, errors = facts.load_cases(PROJECT_ROOT / FACTS_DIR)
    assert errors == []
    assert len(cases) >= 120
    for located in cases:
        assert located.case.source.url.startswith("http")
        assert located.case.asked_at.startswith("http")
    assert not list((PROJECT_ROOT / FACTS_DIR).glob("*sealed*"))


def test_the_real_knowledge_base_meets_the_bar_and_keeps_its_baseline() -> None:
    folder = PROJECT_ROOT / FACTS_DIR
    cases, _ = facts.load_cases(folder)
    results = facts.run_suite(_index(PROJECT_ROOT / "knowledge"), cases)
    complete = sum(result.complete for result in results)
    assert complete >= facts.REQUIRED_SHARE * len(results)
    assert facts.regressions(results, facts.read_baseline(folder)) == []
