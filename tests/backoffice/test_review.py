"""The review inbox on the fixed day: what is in it, and what each decision writes."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from backoffice.review.inbox import ABANDONED, FALLBACK, HANDOFF, NOT_HELPFUL, InboxItem
from backoffice.review.nlu_writer import known_examples
from backoffice.review.service import decide, inbox
from backoffice.review.settings import get_review_settings
from core.errors import ApiError
from core.settings import PROJECT_ROOT, get_settings
from testkit.analytics_fixture import ABANDONED_TEXT, FALLBACK_TEXT, KNOWLEDGE_TEXT, seed_day

DAY = dt.date(2026, 11, 10)
NOW = dt.datetime(2026, 11, 12, 3, 0)


@pytest.fixture
def copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    nlu_dir, knowledge_dir = tmp_path / "nlu_data", tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "nlu_data", nlu_dir)
    shutil.copytree(PROJECT_ROOT / "knowledge" / "articles", knowledge_dir / "articles")
    monkeypatch.setattr(get_review_settings(), "nlu_dir", nlu_dir)
    monkeypatch.setattr(get_settings(), "knowledge_dir", knowledge_dir)
    return nlu_dir, knowledge_dir


@pytest.fixture
def tracker(session: Session, tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'rasa_tracker.db'}")
    seed_day(session, engine, DAY)
    yield engine
    engine.dispose()


def by_conversation(items: list[InboxItem]) -> dict[str, InboxItem]:
    return {item.conversation_id: item for item in items}


def turn_key(item: InboxItem, text: str) -> str:
    return next(turn.key for turn in item.turns if turn.text == text)


def test_the_inbox_holds_failed_conversations_newest_first(
    session: Session, tracker: Engine, copies: tuple[Path, Path]
) -> None:
    items = inbox(session, tracker=tracker, now=NOW)
    assert [item.conversation_id for item in items] == ["web-d", "wechat-c", "web-b"]
    found = by_conversation(items)
    assert found["web-d"].flags == sorted([FALLBACK, HANDOFF])
    assert found["wechat-c"].flags == [NOT_HELPFUL]
    assert found["web-b"].flags == [ABANDONED]
    flagged = {turn.text: turn.flags for turn in found["web-d"].turns}
    assert flagged[FALLBACK_TEXT] == [FALLBACK]
    assert flagged["转人工"] == [HANDOFF]


def test_an_example_and_a_question_are_written_and_the_conversation_leaves(
    session: Session, tracker: Engine, copies: tuple[Path, Path]
) -> None:
    nlu_dir, knowledge_dir = copies
    items = by_conversation(inbox(session, tracker=tracker, now=NOW))
    d, c = items["web-d"], items["wechat-c"]

    decide(
        session,
        key=turn_key(d, FALLBACK_TEXT),
        decision="nlu",
        target="request_human",
        editor="王编辑",
        tracker=tracker,
        now=NOW,
    )
    base = (nlu_dir / "base.yml").read_text(encoding="utf-8")
    assert f"      - {FALLBACK_TEXT}\n" in base
    assert f"# 审核收件箱添加「{FALLBACK_TEXT}」：王编辑，2026-11-12 03:00 UTC" in base
    assert FALLBACK_TEXT in known_examples(nlu_dir)
    assert FALLBACK_TEXT not in known_examples(PROJECT_ROOT / "nlu_data")

    decide(
        session,
        key=turn_key(c, KNOWLEDGE_TEXT),
        decision="knowledge",
        target="marriage-annulment",
        editor="王编辑",
        tracker=tracker,
        now=NOW,
    )
    article = knowledge_dir / "articles" / "marriage" / "marriage-annulment.yml"
    data = yaml.safe_load(article.read_text(encoding="utf-8"))
    assert data["questions"][-1] == KNOWLEDGE_TEXT
    assert "# 审核收件箱添加：王编辑，2026-11-12 03:00 UTC" in article.read_text(encoding="utf-8")

    left = by_conversation(inbox(session, tracker=tracker, now=NOW))
    assert "wechat-c" not in left, "its one flagged turn is decided"
    assert "web-d" in left, "two flagged turns are still open"
    remaining = [t.key for t in left["web-d"].turns if t.flags and t.decision is None]
    for key in remaining:
        decide(
            session,
            key=key,
            decision="off_topic",
            target=None,
            editor="王编辑",
            tracker=tracker,
            now=NOW,
        )
    assert "web-d" not in by_conversation(inbox(session, tracker=tracker, now=NOW))


def test_dismissing_a_whole_conversation(
    session: Session, tracker: Engine, copies: tuple[Path, Path]
) -> None:
    b = by_conversation(inbox(session, tracker=tracker, now=NOW))["web-b"]
    decide(
        session,
        key=b.key,
        decision="dismissed",
        target=None,
        editor="王编辑",
        tracker=tracker,
        now=NOW,
    )
    assert "web-b" not in by_conversation(inbox(session, tracker=tracker, now=NOW))


@pytest.mark.parametrize(
    ("decision", "target", "editor", "status", "code"),
    [
        ("nlu", "no_such_intent", "王编辑", 422, "unknown_intent"),
        ("nlu", "nlu_fallback", "王编辑", 422, "unknown_intent"),
        ("knowledge", "no-such-article", "王编辑", 422, "unknown_article"),
        ("knowledge", "../../etc", "王编辑", 422, "unknown_article"),
        ("off_topic", None, " ", 422, "name_required"),
        ("delete", None, "王编辑", 422, "bad_decision"),
    ],
)
def test_refusals_are_chinese_and_write_nothing(
    session: Session,
    tracker: Engine,
    copies: tuple[Path, Path],
    decision: str,
    target: str | None,
    editor: str,
    status: int,
    code: str,
) -> None:
    nlu_dir, _ = copies
    before = (nlu_dir / "base.yml").read_text(encoding="utf-8")
    b = by_conversation(inbox(session, tracker=tracker, now=NOW))["web-b"]
    with pytest.raises(ApiError) as refused:
        decide(
            session,
            key=turn_key(b, ABANDONED_TEXT),
            decision=decision,
            target=target,
            editor=editor,
            tracker=tracker,
            now=NOW,
        )
    assert (refused.value.status_code, refused.value.code) == (status, code)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert (nlu_dir / "base.yml").read_text(encoding="utf-8") == before


def test_words_already_in_the_training_data_are_refused(
    session: Session, tracker: Engine, copies: tuple[Path, Path]
) -> None:
    d = by_conversation(inbox(session, tracker=tracker, now=NOW))["web-d"]
    with pytest.raises(ApiError) as refused:
        decide(
            session,
            key=turn_key(d, "转人工"),
            decision="nlu",
            target="request_human",
            editor="王编辑",
            tracker=tracker,
            now=NOW,
        )
    assert refused.value.status_code == 409


def test_a_turn_not_in_the_inbox_is_404(
    session: Session, tracker: Engine, copies: tuple[Path, Path]
) -> None:
    with pytest.raises(ApiError) as refused:
        decide(
            session,
            key="web-zzz@1.000",
            decision="off_topic",
            target=None,
            editor="王编辑",
            tracker=tracker,
            now=NOW,
        )
    assert refused.value.status_code == 404
