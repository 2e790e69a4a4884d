"""Retention: delete conversations and transcripts older than `RETENTION_DAYS` (default 180).

`python -m backoffice.retention` (or `make retention`) deletes, older than the cut-off:

- handoff tickets that have ended, with their transcript (`handoff_messages`) and the Telegram
  relay's claims on those messages; tickets still waiting or claimed are kept whatever their age;
- call-back requests (they hold a phone number), by the day they were made;
- unanswered questions and answer feedback of the knowledge base (they hold citizens' words and
  conversation ids);
- Telegram messages that could not be sent (their text);
- Rasa's tracker events (table `events`: what citizens typed, slots, bot replies), in the SQLite
  file `RASA_TRACKER_DB` or, in the production profile, the PostgreSQL tracker database
  (`RASA_TRACKER_URL` overrides both; see core/production_env.py).

Bookings, visits, pledges, pre-screen logs and assistance applications are records of the
services themselves, with their own lifetime under the departments' archive rules; they are not
touched here. Running the job twice deletes nothing the second time. It prints what it deleted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Delete, Engine, MetaData, Table, delete, inspect, make_url, select
from sqlalchemy.orm import Session

from backoffice.db import make_engine, rowcount
from backoffice.records.handoff.models import CallbackRequest, HandoffMessage, HandoffTicket
from backoffice.records.knowledge.models import KnowledgeFeedback, UnansweredQuestion
from backoffice.records.telegram.models import TelegramFailedSend, TelegramRelayedMessage
from core.production_env import tracker_db_url
from core.settings import PROJECT_ROOT, Settings, get_settings


@dataclass
class RetentionReport:
    """How many rows each table lost."""

    cutoff: dt.datetime
    deleted: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """One line per table, for the command line."""
        header = (
            f"retention: deleting what is older than {self.cutoff.isoformat(timespec='seconds')}Z"
        )
        return [header, *(f"  {table}: {count} deleted" for table, count in self.deleted.items())]


def cutoff_for(days: int, now: dt.datetime | None = None) -> dt.datetime:
    """The naive-UTC moment before which data is deleted."""
    current = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return current - dt.timedelta(days=days)


def purge_backoffice(session: Session, cutoff: dt.datetime) -> dict[str, int]:
    """Delete the back office's conversation data older than `cutoff` (naive UTC); commit."""
    ended = select(HandoffTicket.id).where(
        HandoffTicket.ended_at.is_not(None), HandoffTicket.ended_at < cutoff
    )
    old_messages = select(HandoffMessage.id).where(HandoffMessage.ticket_id.in_(ended))
    counts = {
        "telegram_relayed_messages": _delete(
            session,
            delete(TelegramRelayedMessage).where(
                TelegramRelayedMessage.handoff_message_id.in_(old_messages)
            ),
        ),
        "handoff_messages": _delete(
            session, delete(HandoffMessage).where(HandoffMessage.ticket_id.in_(ended))
        ),
    }
    counts["handoff_tickets"] = _delete(
        session,
        delete(HandoffTicket).where(
            HandoffTicket.ended_at.is_not(None), HandoffTicket.ended_at < cutoff
        ),
    )
    aware_cutoff = cutoff.replace(tzinfo=dt.UTC)
    for name, statement in (
        ("handoff_callbacks", delete(CallbackRequest).where(CallbackRequest.created_at < cutoff)),
        (
            "knowledge_unanswered",
            delete(UnansweredQuestion).where(UnansweredQuestion.created_at < aware_cutoff),
        ),
        (
            "knowledge_feedback",
            delete(KnowledgeFeedback).where(KnowledgeFeedback.created_at < aware_cutoff),
        ),
        (
            "telegram_failed_sends",
            delete(TelegramFailedSend).where(TelegramFailedSend.created_at < cutoff),
        ),
    ):
        counts[name] = _delete(session, statement)
    session.commit()
    return counts


def _delete(session: Session, statement: Delete) -> int:
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return rowcount(result)


def purge_tracker(engine: Engine, cutoff: dt.datetime) -> int:
    """Delete Rasa tracker events older than `cutoff` (naive UTC); 0 when there is no table."""
    if not inspect(engine).has_table("events"):
        return 0
    events = Table("events", MetaData(), autoload_with=engine)
    epoch = cutoff.replace(tzinfo=dt.UTC).timestamp()
    with engine.begin() as connection:
        result = connection.execute(delete(events).where(events.c.timestamp < epoch))
    return rowcount(result)


def tracker_url(settings: Settings, environ: Mapping[str, str]) -> str:
    """SQLAlchemy URL of Rasa's tracker database for `settings`' profile."""
    if environ.get("RASA_TRACKER_URL"):
        return environ["RASA_TRACKER_URL"]
    if settings.profile == "production":
        return tracker_db_url(environ).render_as_string(hide_password=False)
    path = environ.get("RASA_TRACKER_DB") or str(PROJECT_ROOT / "var" / "rasa_tracker.db")
    return f"sqlite:///{path}"


def run_retention(
    *,
    database_url: str,
    tracker_database_url: str | None,
    days: int,
    now: dt.datetime | None = None,
) -> RetentionReport:
    """Delete everything older than `days` days from both databases; returns the counts."""
    if days < 1:
        raise ValueError("the retention period must be at least one day")
    report = RetentionReport(cutoff=cutoff_for(days, now))
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            report.deleted.update(purge_backoffice(session, report.cutoff))
    finally:
        engine.dispose()
    if tracker_database_url and _exists(tracker_database_url):
        tracker = make_engine(tracker_database_url)
        try:
            report.deleted["rasa events"] = purge_tracker(tracker, report.cutoff)
        finally:
            tracker.dispose()
    return report


def _exists(url: str) -> bool:
    """False for a SQLite file that is not there (Rasa has not run yet): nothing to delete."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return True
    return os.path.exists(parsed.database)


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m backoffice.retention [--days N] [--no-tracker]`."""
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m backoffice.retention", description=__doc__)
    parser.add_argument("--days", type=int, default=settings.retention_days)
    parser.add_argument("--no-tracker", action="store_true", help="leave Rasa's events alone")
    args = parser.parse_args(argv)
    tracker = None if args.no_tracker else tracker_url(settings, os.environ)
    report = run_retention(
        database_url=settings.database_url, tracker_database_url=tracker, days=args.days
    )
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
