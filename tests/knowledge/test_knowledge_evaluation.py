"""Paraphrase set: valid, not copied from the articles, and retrieval meets the target."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.evaluation import (
    DEFAULT_PARAPHRASES,
    Paraphrase,
    evaluate,
    evaluate_detailed,
    load_paraphrases,
)
from knowledge.loader import KnowledgeBase
from knowledge.search import KnowledgeIndex

HOLDOUT = Path(__file__).with_name("paraphrases_holdout.yml")
_PUNCTUATION = re.compile(r"[\s\W_]+")


def _bare(text: str) -> str:
    return _PUNCTUATION.sub("", text)


@pytest.mark.parametrize("path", [DEFAULT_PARAPHRASES, HOLDOUT])
def test_paraphrase_sets_are_valid_and_not_copied(path: Path, real_kb: KnowledgeBase) -> None:
    paraphrases = load_paraphrases(path)
    examples = {_bare(q) for article in real_kb for q in article.questions}
    examples |= {_bare(article.title) for article in real_kb}
    for item in paraphrases:
        assert item.expect == "none" or item.expect in real_kb, item
        assert _bare(item.q) not in examples, f"copied from an article: {item.q}"


def test_main_set_size() -> None:
    paraphrases = load_paraphrases()
    in_scope = [p for p in paraphrases if p.expect != "none" and not p.traditional]
    assert len(in_scope) >= 60
    assert sum(p.expect == "none" for p in paraphrases) >= 10
    assert any(p.traditional for p in paraphrases)


def test_top1_meets_target(real_index: KnowledgeIndex) -> None:
    top1, top3 = evaluate(real_index, load_paraphrases())
    assert top1 >= 0.90
    assert top3 >= top1


def test_out_of_scope_mostly_none_and_no_wrong_direct_answers(real_index: KnowledgeIndex) -> None:
    report = evaluate_detailed(real_index, load_paraphrases())
    assert report.none_accuracy >= 0.8
    assert report.answered_wrongly <= 0.03


def test_evaluation_counts_correctly(real_index: KnowledgeIndex) -> None:
    items = [
        Paraphrase(q="离婚冷静期多少天", expect="marriage-cooling-off"),
        Paraphrase(q="离婚冷静期多少天", expect="marriage-fees"),
        Paraphrase(q="明天会下雨吗", expect="none"),
    ]
    report = evaluate_detailed(real_index, items, to_simplified=lambda text: text)
    assert (report.total, report.top1) == (2, 0.5)
    assert report.none_total == 1 and report.none_accuracy == 1.0
    assert [miss.expect for miss in report.misses] == ["marriage-fees"]


def test_traditional_questions_need_the_gateway(real_index: KnowledgeIndex) -> None:
    report = evaluate_detailed(real_index, load_paraphrases())
    assert report.traditional_total >= 3
    # Converted to Simplified, Traditional questions are answered as confidently as the rest.
    assert report.traditional_confident_normalised >= report.traditional_confident_raw
    assert report.traditional_confident_normalised > report.traditional_confident_raw or (
        report.traditional_confident_raw == 1.0
    )
