"""A turn reads the kept rows only while the database holds exactly those (#22)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from bot_plugins.stored_sessions import StoredSession, StoredSessions
from testkit.rasa_script import run_in_rasa


def test_a_changed_fingerprint_drops_the_kept_session() -> None:
    sessions = StoredSessions()
    sessions.keep("a", StoredSession((2, 7), ("{}", "{}")))
    assert sessions.matching("a", (2, 7)) is not None
    assert sessions.matching("a", (3, 9)) is None
    assert sessions.matching("a", (2, 7)) is None  # dropped, not kept stale


def test_the_least_recently_used_conversation_goes_first() -> None:
    sessions = StoredSessions(max_chars=4)  # two sessions of one "{}" row each
    sessions.keep("a", StoredSession((1, 1), ("{}",)))
    sessions.keep("b", StoredSession((1, 2), ("{}",)))
    assert sessions.matching("a", (1, 1)) is not None
    sessions.keep("c", StoredSession((1, 3), ("{}",)))
    assert len(sessions) == 2
    assert sessions.matching("b", (1, 2)) is None
    assert sessions.matching("a", (1, 1)) is not None


def test_a_conversation_kept_again_is_counted_once() -> None:
    sessions = StoredSessions(max_chars=6)
    sessions.keep("a", StoredSession((1, 1), ("{}",)))
    sessions.keep("a", StoredSession((2, 2), ("{}", "{}")))
    sessions.keep("b", StoredSession((1, 3), ("{}",)))
    assert len(sessions) == 2  # 4 + 2 characters: nothing had to go


def test_extending_counts_the_new_rows_and_takes_the_last_id() -> None:
    session = StoredSession((2, 7), ("x", "y")).extended(["z"], 12)
    assert session == StoredSession((3, 12), ("x", "y", "z"))


# Two stores on one SQLite file stand for two Rasa replicas; each step compares what the caching
# store returns with Rasa's own SQLTrackerStore reading the same file, and counts the SELECTs a
# turn sends to the events table.
CHECK = textwrap.dedent(
    """
    import asyncio, json, sys
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from bot_plugins.scrubbing_tracker_store import ScrubbingSQLTrackerStore

    domain = Domain.from_yaml("version: '3.1'\\nintents: [greet]")
    db = sys.argv[1]
    replica, other = (
        ScrubbingSQLTrackerStore(domain=domain, dialect="sqlite", db=db) for _ in "ab"
    )
    plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    selects = []
    sa.event.listen(
        replica.engine,
        "before_cursor_execute",
        lambda _c, _u, statement, *_: selects.append(statement)
        if statement.lstrip().upper().startswith("SELECT") else None,
    )

    def texts(store):
        tracker = asyncio.run(store.retrieve("citizen-1"))
        return [e.text for e in tracker.events if e.type_name == "user"] if tracker else []

    def say(store, text):
        tracker = asyncio.run(store.get_or_create_tracker("citizen-1"))
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(text, parse_data={"text": text}))
        asyncio.run(store.save(tracker))

    report = {}
    say(replica, "第一句")
    say(replica, "身份证330102199001011234")
    selects.clear()
    report["kept"] = texts(replica)
    report["kept_selects"] = len(selects)
    report["plain"] = texts(plain)
    say(other, "另一个副本写的")
    report["after_other"] = texts(replica)
    with replica.engine.begin() as connection:
        connection.exec_driver_sql(
            "DELETE FROM events WHERE id = (SELECT min(id) FROM events WHERE type_name = 'user')"
        )
    report["after_delete"] = texts(replica)
    report["plain_after_delete"] = texts(plain)
    tracker = asyncio.run(replica.retrieve("citizen-1"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("新会话", parse_data={"text": "新会话"}))
    asyncio.run(replica.save(tracker))
    report["new_session"] = texts(replica)
    report["plain_new_session"] = texts(plain)
    print(json.dumps(report, ensure_ascii=False))
    """
)


def test_the_kept_session_is_what_the_database_holds(tmp_path: Path) -> None:
    report = json.loads(run_in_rasa(CHECK, str(tmp_path / "tracker.db")))
    masked = report["plain"][1]
    assert "19900101" not in masked  # read back as stored: masked
    assert report["kept"] == report["plain"] == ["第一句", masked]
    assert report["kept_selects"] == 1  # the fingerprint only
    assert report["after_other"] == ["第一句", masked, "另一个副本写的"]
    assert report["after_delete"] == report["plain_after_delete"] == [masked, "另一个副本写的"]
    assert report["new_session"] == report["plain_new_session"] == ["新会话"]
