"""Reading Rasa's tracker store: the `events` table of its SQL tracker store (SQLite or PostgreSQL).

Rasa 3.6's `SQLTrackerStore` keeps one row per event: `sender_id` (our conversation id),
`type_name` (user, bot, action, slot, active_loop …), `timestamp` (epoch seconds),
`intent_name`, `action_name` and the event as JSON in `data`. Nothing here writes to Rasa's
database; `events_table` is also what the demo data and the tests fill (a separate database).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    inspect,
    make_url,
    select,
)

from backoffice.db import make_engine
from backoffice.retention import tracker_url
from core.settings import get_settings


def events_table(metadata: MetaData | None = None) -> Table:
    """The columns of Rasa's `events` table that analytics reads."""
    return Table(
        "events",
        metadata or MetaData(),
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255), index=True),
        Column("type_name", String(255)),
        Column("timestamp", Float),
        Column("intent_name", String(255)),
        Column("action_name", String(255)),
        Column("data", Text),
    )


@dataclass(frozen=True)
class TrackerEvent:
    """One stored Rasa event."""

    id: int
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None = None
    action_name: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def at(self) -> dt.datetime:
        """The event's moment as naive UTC (how the back office stores times)."""
        return dt.datetime.fromtimestamp(self.timestamp, dt.UTC).replace(tzinfo=None)


def epoch(moment: dt.datetime) -> float:
    """Epoch seconds of a naive-UTC moment."""
    return moment.replace(tzinfo=dt.UTC).timestamp()


def read_events(
    engine: Engine | None,
    *,
    start: dt.datetime,
    end: dt.datetime,
    conversation_ids: set[str] | None = None,
) -> list[TrackerEvent]:
    """Events between `start` and `end` (naive UTC), oldest first; none without a tracker table."""
    if engine is None or not inspect(engine).has_table("events"):
        return []
    table = events_table()
    query = (
        select(table)
        .where(table.c.timestamp >= epoch(start), table.c.timestamp < epoch(end))
        .order_by(table.c.sender_id, table.c.timestamp, table.c.id)
    )
    if conversation_ids is not None:
        query = query.where(table.c.sender_id.in_(sorted(conversation_ids)))
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        TrackerEvent(
            id=int(row["id"]),
            sender_id=str(row["sender_id"]),
            type_name=str(row["type_name"]),
            timestamp=float(row["timestamp"]),
            intent_name=row["intent_name"],
            action_name=row["action_name"],
            data=_json(row["data"]),
        )
        for row in rows
    ]


def _json(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


_ENGINES: dict[str, Engine] = {}


def tracker_engine() -> Engine | None:
    """This process's engine on Rasa's tracker database; None while its SQLite file is missing.

    A SQLite file is opened without the back office's pragmas: it is Rasa's file, only read here.
    """
    url = tracker_url(get_settings(), os.environ)
    if url in _ENGINES:
        return _ENGINES[url]
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not (parsed.database and os.path.exists(parsed.database)):
            return None
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    else:
        engine = make_engine(url)
    _ENGINES[url] = engine
    return engine
