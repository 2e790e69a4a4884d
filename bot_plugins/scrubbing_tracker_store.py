"""An SQL tracker store that never writes raw identity numbers (Rasa 3.6, Python 3.10).

`ScrubbingSQLTrackerStore` is Rasa's `SQLTrackerStore` (SQLite or PostgreSQL, table `events`)
whose `save` masks every string of each new event before it is written: the user's text, the
parse data (text, entities), slot values, bot messages. The tracker in memory, which Rasa is
using for the current turn, is not touched; the next turn is read back from the database
already masked, so an action that needs an identifier across turns keeps a digest of it in its
slot instead of the raw value (see `actions/prescreen/status.py`).

A turn reads the conversation's latest session from the rows this process wrote or read last
(`bot_plugins.stored_sessions`, the masked text as stored) when the database still holds just
those rows: one indexed count instead of reading and counting the rows twice (#22).

Configured in `bot/endpoints.yml`:

    tracker_store:
      type: bot_plugins.scrubbing_tracker_store.ScrubbingSQLTrackerStore
      dialect: sqlite
      db: ${RASA_TRACKER_DB}
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot_plugins import action_validation, domain_digest, event_types, kept_connections
from bot_plugins.scrubbing import scrub
from bot_plugins.stored_sessions import Fingerprint, StoredSession, StoredSessions

logger = logging.getLogger(__name__)

# Loaded into Rasa by every profile's endpoints: the one place to speed up its action calls
# (the answer's check built once; one kept connection to the action server; event classes found
# by name once; the domain sent once, then by digest).
action_validation.install()
kept_connections.install()
event_types.install()
domain_digest.install()


def use_write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: write-ahead log, and no fsync on each commit (only at checkpoints).

    Rasa opens a new SQLite connection for every tracker read and write; with the default
    rollback journal each save waits for a full fsync. In WAL mode with `synchronous=NORMAL` a
    commit survives a crash of the process; only a power loss may drop the last turns.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def pooled_sqlite_engine(engine: sa.engine.Engine) -> sa.engine.Engine:
    """`engine`'s SQLite file behind a pool of open connections (WAL, as above).

    SQLAlchemy 1.4 (Rasa's) gives a SQLite file no pool: every tracker read and write opened a
    connection, set the pragmas and closed it, and closing the last connection makes SQLite
    checkpoint and delete the write-ahead log: about 7% of Rasa's time for a turn (py-spy,
    README "性能"). Kept open, the log is checkpointed as it grows. Rasa uses a connection from
    one thread at a time (the pool hands it out), as SQLAlchemy 2 does for SQLite files.
    """
    url = engine.url
    engine.dispose()
    pooled = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        pool_size=2,
        max_overflow=8,
        connect_args={"check_same_thread": False},
    )
    sa.event.listen(pooled, "connect", use_write_ahead_log)
    return pooled


class ScrubbingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that masks identity-number-like digit runs in every stored event."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self.engine = pooled_sqlite_engine(self.engine)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.stored_sessions = StoredSessions()

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's new events, masked (the in-memory tracker stays as it is)."""
        await self.stream_events(tracker)

        with self.session_scope() as session:
            latest = self._latest_session(session, tracker.sender_id)
            new_events = list(
                itertools.islice(tracker.events, len(latest.rows), len(tracker.events))
            )
            records = [self._record(tracker.sender_id, event) for event in new_events]
            session.add_all(records)
            session.flush()
            rows = [str(record.data) for record in records]
            last_id = int(records[-1].id) if records else 0
            session.commit()

        if any(isinstance(event, SessionStarted) for event in new_events):
            self.stored_sessions.forget(tracker.sender_id)
        elif rows:
            self.stored_sessions.keep(tracker.sender_id, latest.extended(rows, last_id))
        logger.debug("Tracker with sender_id '%s' stored (masked)", tracker.sender_id)

    def _record(self, sender_id: str, event: Event) -> Any:
        """The row of one event, masked."""
        data = scrub(event.as_dict())
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """The latest session from the kept rows when the database still holds just those."""
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.session_scope() as session:
            latest = self._latest_session(session, sender_id)
        if not (self.domain and latest.rows):
            return None
        events = [json.loads(row) for row in latest.rows]
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _latest_session(self, session: sa.orm.Session, sender_id: str) -> StoredSession:
        """The stored rows of the conversation's latest session (kept, or read)."""
        fingerprint = self._fingerprint(session, sender_id)
        kept = self.stored_sessions.matching(sender_id, fingerprint)
        if kept is not None:
            return kept
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        latest = StoredSession(fingerprint, tuple(str(row.data) for row in query.all()))
        self.stored_sessions.keep(sender_id, latest)
        return latest

    def _fingerprint(self, session: sa.orm.Session, sender_id: str) -> Fingerprint:
        """How many rows the conversation has in the database, and the highest id."""
        event = self.SQLEvent
        count, last_id = session.execute(
            sa.select(sa.func.count(event.id), sa.func.max(event.id)).where(
                event.sender_id == sender_id
            )
        ).one()
        return int(count), int(last_id or 0)

    async def _stream_new_events(
        self, event_broker: EventBroker, new_events: list[Event], sender_id: str
    ) -> None:
        """Publish new events to the event broker (if one is configured), masked as well."""
        for event in new_events:
            body: dict[str, Any] = {"sender_id": sender_id}
            body.update(scrub(event.as_dict()))
            event_broker.publish(body)
