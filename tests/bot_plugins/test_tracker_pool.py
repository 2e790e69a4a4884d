"""The SQLite tracker store keeps its connections open (a pool) and stays in WAL mode."""

from __future__ import annotations

import textwrap
from pathlib import Path

from testkit.rasa_script import run_in_rasa

CHECK = textwrap.dedent(
    """
    import asyncio, sys
    import sqlalchemy as sa
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from bot_plugins.scrubbing_tracker_store import ScrubbingSQLTrackerStore

    store = ScrubbingSQLTrackerStore(dialect="sqlite", db=sys.argv[1])
    connects = []
    sa.event.listen(store.engine, "connect", lambda *_: connects.append(1))
    for turn in range(5):
        tracker = asyncio.run(store.get_or_create_tracker("citizen-1"))
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(f"第{turn}句", parse_data={"text": f"第{turn}句"}))
        asyncio.run(store.save(tracker))
    events = list(asyncio.run(store.retrieve("citizen-1")).events)
    with store.engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    print(len(connects), sum(e.type_name == "user" for e in events), mode)
    """
)


def test_the_sqlite_tracker_store_reuses_one_connection_in_wal_mode(tmp_path: Path) -> None:
    connects, user_turns, mode = run_in_rasa(CHECK, str(tmp_path / "tracker.db")).split()
    assert (connects, user_turns, mode) == ("1", "5", "wal")
