"""The retention job deletes old conversation data (back office and Rasa events), nothing else."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, select
from sqlalchemy.orm import Session

from backoffice.db import make_engine
from backoffice.records.handoff.models import CallbackRequest, HandoffMessage, HandoffTicket
from backoffice.records.knowledge.models import KnowledgeFeedback, UnansweredQuestion
from backoffice.records.telegram.models import TelegramFailedSend, TelegramRelayedMessage
from backoffice.retention import run_retention, tracker_url
from core.settings import PROJECT_ROOT, Settings
from testkit.databases import fresh_postgres_database

NOW = dt.datetime(2026, 11, 29, 12, 0)
OLD = NOW - dt.timedelta(days=200)
RECENT = NOW - dt.timedelta(days=10)


def rasa_events_table(engine: Engine) -> Table:
    """The columns of Rasa 3.6's SQLTrackerStore `events` table."""
    metadata = MetaData()
    table = Table(
        "events",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255), nullable=False),
        Column("type_name", String(255), nullable=False),
        Column("timestamp", Float),
        Column("intent_name", String(255)),
        Column("action_name", String(255)),
        Column("data", Text),
    )
    metadata.create_all(engine)
    return table


def fill_tracker(engine: Engine) -> None:
    table = rasa_events_table(engine)
    with engine.begin() as connection:
        for sender, moment in (("old", OLD), ("new", RECENT)):
            connection.execute(
                table.insert().values(
                    sender_id=sender,
                    type_name="user",
                    timestamp=moment.replace(tzinfo=dt.UTC).timestamp(),
                    data=json.dumps({"text": "你好"}),
                )
            )


def fill_backoffice(session: Session) -> None:
    def ticket(conversation: str, *, ended: dt.datetime | None, created: dt.datetime) -> None:
        row = HandoffTicket(
            conversation_id=conversation,
            open_conversation_id=None if ended else conversation,
            channel="web",
            sender=conversation,
            reason="asked",
            status="closed" if ended else "waiting",
            created_at=created,
            ended_at=ended,
        )
        session.add(row)
        session.flush()
        message = HandoffMessage(
            ticket_id=row.id,
            conversation_id=conversation,
            kind="citizen",
            text="我的电话是13800000001",
            created_at=created,
        )
        session.add(message)
        session.flush()
        session.add(TelegramRelayedMessage(handoff_message_id=message.id, created_at=created))

    ticket("web:old-closed", ended=OLD, created=OLD)
    ticket("web:new-closed", ended=RECENT, created=OLD)
    ticket("web:old-waiting", ended=None, created=OLD)
    for moment in (OLD, RECENT):
        session.add(
            CallbackRequest(
                conversation_id="web:x",
                channel="web",
                phone="13800000001",
                preferred_time="明天上午",
                reason="after_hours",
                created_at=moment,
            )
        )
        aware = moment.replace(tzinfo=dt.UTC)
        session.add(UnansweredQuestion(conversation_id="web:x", question="问题", created_at=aware))
        session.add(
            KnowledgeFeedback(
                conversation_id="web:x", article_id="a", helpful=True, created_at=aware
            )
        )
        session.add(
            TelegramFailedSend(chat_id="1", text="t", error="e", attempts=4, created_at=moment)
        )
    session.commit()


@pytest.fixture
def tracker_database(database_url: str, tmp_path: Path) -> str:
    """A tracker database of the same kind as the back office's (SQLite file or PostgreSQL)."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'rasa_tracker.db'}"
    return database_url  # Rasa's `events` table does not clash with any back-office table


def test_retention_deletes_old_conversations_and_is_idempotent(
    session: Session, database_url: str, tracker_database: str
) -> None:
    fill_backoffice(session)
    tracker = make_engine(tracker_database)
    fill_tracker(tracker)

    report = run_retention(
        database_url=database_url, tracker_database_url=tracker_database, days=180, now=NOW
    )
    assert report.deleted == {
        "telegram_relayed_messages": 1,
        "handoff_messages": 1,
        "handoff_tickets": 1,
        "handoff_callbacks": 1,
        "knowledge_unanswered": 1,
        "knowledge_feedback": 1,
        "telegram_failed_sends": 1,
        "rasa events": 1,
    }
    session.expire_all()
    kept = session.scalars(select(HandoffTicket.conversation_id)).all()
    assert sorted(kept) == ["web:new-closed", "web:old-waiting"]  # an open case is never cut
    assert len(session.scalars(select(HandoffMessage)).all()) == 2
    assert [c.created_at for c in session.scalars(select(CallbackRequest))] == [RECENT]
    with tracker.connect() as connection:
        senders = [row[0] for row in connection.exec_driver_sql("SELECT sender_id FROM events")]
    assert senders == ["new"]

    again = run_retention(
        database_url=database_url, tracker_database_url=tracker_database, days=180, now=NOW
    )
    assert set(again.deleted.values()) == {0}
    assert "0 deleted" in "\n".join(again.lines())
    tracker.dispose()


def test_a_missing_tracker_file_or_table_deletes_nothing(database_url: str, tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'never_created.db'}"
    report = run_retention(database_url=database_url, tracker_database_url=missing, days=30)
    assert "rasa events" not in report.deleted
    assert not (tmp_path / "never_created.db").exists()
    with fresh_postgres_database() as empty:
        report = run_retention(database_url=database_url, tracker_database_url=empty, days=30)
    assert report.deleted["rasa events"] == 0


def test_tracker_url_per_profile() -> None:
    embedded = Settings(_env_file=None)
    assert tracker_url(embedded, {"RASA_TRACKER_DB": "/tmp/t.db"}) == "sqlite:////tmp/t.db"
    assert tracker_url(embedded, {}) == f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa_tracker.db'}"
    production = Settings(profile="production", _env_file=None)
    url = tracker_url(production, {"DATABASE_URL": "postgresql+psycopg://u:p@db:5432/minzheng"})
    assert url == "postgresql+psycopg://u:p@db:5432/minzheng_rasa"
    assert tracker_url(production, {"RASA_TRACKER_URL": "sqlite:///x.db"}) == "sqlite:///x.db"


def test_command_line(database_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": database_url, "RASA_TRACKER_DB": str(tmp_path / "none.db")}
    result = subprocess.run(
        [sys.executable, "-m", "backoffice.retention", "--days", "30"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "handoff_messages: 0 deleted" in result.stdout
