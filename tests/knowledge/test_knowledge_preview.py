"""Preview data for the editors' page: ranked articles, scores, outcome, JSON."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.preview import preview
from knowledge.store import KnowledgeStore


def test_preview_lists_ranked_articles_with_outcome(small_kb: Path) -> None:
    store = KnowledgeStore(small_kb)
    data = preview(store, "领结婚证要交钱吗")
    assert data.decision == "answer"
    first = data.matches[0]
    assert (first.rank, first.article_id, first.outcome) == (1, "marriage-fees", "answer")
    assert first.path == "articles/marriage/marriage-fees.yml"
    assert first.topic_name == "婚姻登记"
    assert all(match.outcome == "none" for match in data.matches[1:])
    assert [m.confidence for m in data.matches] == sorted(
        (m.confidence for m in data.matches), reverse=True
    )
    assert data.article_count == 3 and data.knowledge_version and data.last_error is None
    payload = json.loads(data.model_dump_json())
    assert payload["thresholds"]["answer_min_confidence"] > 0
    assert payload["matches"][0]["effective_from"] == "2025-05-10"


def test_preview_shows_the_last_error(small_kb: Path) -> None:
    store = KnowledgeStore(small_kb)
    store.search("低保")
    (small_kb / "articles" / "marriage" / "marriage-fees.yml").write_text("id: [", encoding="utf-8")
    store.reload()
    data = preview(store, "低保条件")
    assert data.last_error is not None and "marriage-fees.yml" in data.last_error
    assert data.article_count == 3
