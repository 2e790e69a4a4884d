"""Hot reload: edits served within 2 s; broken edits refused while the old version serves."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from knowledge.store import KnowledgeStore

QUESTION = "领结婚证多少钱"


def _wait_for(condition: Callable[[], bool], timeout: float = 2.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s")


def _answer(store: KnowledgeStore) -> str:
    result = store.search(QUESTION)
    assert result.best is not None
    return result.best.article.answer


def test_nothing_is_loaded_before_first_use(small_kb: Path) -> None:
    store = KnowledgeStore(small_kb)
    assert store.status().article_count == 0
    assert store.search(QUESTION).best is not None
    assert store.status().article_count == 3


def test_edit_is_served_within_two_seconds(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    store = KnowledgeStore(small_kb, poll_interval=1.0)
    assert "不收费" in _answer(store)
    old_version = store.version
    write(make_article(answer="新的回答：婚姻登记免费。\n"))
    elapsed = _wait_for(lambda: "新的回答" in _answer(store))
    assert elapsed < 2.0
    assert store.version != old_version
    assert store.last_error is None


def test_broken_edit_keeps_previous_version_and_reports_error(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    store = KnowledgeStore(small_kb, poll_interval=0.1)
    assert "不收费" in _answer(store)
    version = store.version
    path = write(make_article(review_by="2020-01-01"))
    _wait_for(lambda: store.search(QUESTION) is not None and store.last_error is not None)
    assert "不收费" in _answer(store)
    assert store.version == version
    error = store.last_error
    assert error is not None
    assert "marriage-fees.yml" in error and "review_by" in error
    status = store.status()
    assert not status.ok and status.article_count == 3

    path.write_text(path.read_text(encoding="utf-8").replace("2020-01-01", "2027-06-01"), "utf-8")
    _wait_for(lambda: store.search(QUESTION) is not None and store.last_error is None)
    assert store.version != version


def test_broken_first_load_serves_nothing_until_fixed(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    path = write(make_article(questions=["只有一个"]))
    store = KnowledgeStore(small_kb, poll_interval=0.1)
    result = store.search(QUESTION)
    assert result.decision == "none" and result.matches == []
    assert store.last_error is not None and "questions" in store.last_error
    write(make_article())
    assert path.exists()
    _wait_for(lambda: store.search(QUESTION).best is not None)


def test_reload_forces_a_reload_and_reports_status(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    store = KnowledgeStore(small_kb, poll_interval=3600)  # never polls by itself in this test
    assert "不收费" in _answer(store)
    write(make_article(answer="手动重新加载后的回答。\n"))
    assert "不收费" in _answer(store)
    status = store.reload()
    assert status.ok and status.changed and status.article_count == 3
    assert "手动重新加载" in _answer(store)


def test_background_watcher_reloads_without_queries(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    store = KnowledgeStore(small_kb, poll_interval=0.2)
    store.reload()
    store.start_watching()
    try:
        write(make_article(answer="后台线程加载的回答。\n"))
        before = store.status().version
        _wait_for(lambda: store.status().version != before)
    finally:
        store.stop_watching()
    assert "后台线程" in _answer(store)


def test_search_settings_edit_is_hot_reloaded(small_kb: Path) -> None:
    store = KnowledgeStore(small_kb, poll_interval=0.1)
    assert store.search(QUESTION).decision != "none"
    settings = small_kb / "search.yml"
    text = settings.read_text(encoding="utf-8")
    for key in ("answer_min_confidence", "suggest_min_confidence"):
        text = "\n".join(
            f"  {key}: 1.0" if line.strip().startswith(f"{key}:") else line
            for line in text.splitlines()
        )
    settings.write_text(text + "\n", encoding="utf-8")
    _wait_for(lambda: store.search(QUESTION + "呀").decision == "none")


def test_checks_files_at_most_once_per_interval(
    small_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    store = KnowledgeStore(small_kb, poll_interval=1.0, clock=lambda: now[0])
    store.search(QUESTION)
    checks: list[float] = []
    original = store._fingerprint

    def counting_fingerprint() -> tuple[tuple[str, int, int], ...]:
        checks.append(now[0])
        return original()

    monkeypatch.setattr(store, "_fingerprint", counting_fingerprint)
    for _ in range(5):
        store.search(QUESTION)
    assert checks == []  # within the interval: no file system access at all
    now[0] += 1.0
    store.search(QUESTION)
    store.search(QUESTION)
    assert checks == [101.0]
