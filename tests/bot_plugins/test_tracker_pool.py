"""The SQLite tracker store keeps its connections open (a pool) and stays in WAL mode."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from core.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"

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
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", CHECK, str(tmp_path / "tracker.db")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    connects, user_turns, mode = result.stdout.split()[-3:]
    assert (connects, user_turns, mode) == ("1", "5", "wal")
