"""Identity numbers are masked before tracker events are stored; the current turn keeps them."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url

from bot_plugins.scrubbing import mask_id_like, scrub
from testkit.databases import fresh_postgres_database
from testkit.rasa_script import run_in_rasa

ID_NUMBER = "330106199001011234"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ID_NUMBER, "3301**********1234"),
        ("身份证33010619900101123X。", "身份证3301**********123X。"),
        ("3301 0619 9001 0112 34", "3301**********1234"),
        ("３３０１０６１９９００１０１１２３４", "3301**********1234"),
        ("330106.19920315.3586", "3301**********3586"),
        ("330106_1992_0315_3586", "3301**********3586"),
        ("330106·19920315·3586", "3301**********3586"),
        ("手机13812345678", "手机138****5678"),
        ("电话 +86 138-1234-5678", "电话 138****5678"),
        ("幺三八一二三四五六七八", "138****5678"),
        ("0571-87008174", "0571-87008174"),
        ("sealed:v1:gAAAA13812345678", "sealed:v1:gAAAA13812345678"),
        ("2026-12-01 上午", "2026-12-01 上午"),
        (
            "message id 3f2a9c1e4b5d67890123456789abcdef",
            "message id 3f2a9c1e4b5d67890123456789abcdef",
        ),
    ],
)
def test_mask_id_like(text: str, expected: str) -> None:
    assert mask_id_like(text) == expected


def test_scrub_returns_a_masked_copy() -> None:
    event: dict[str, Any] = {
        "event": "user",
        "text": f"我的身份证是{ID_NUMBER}",
        "parse_data": {"entities": [{"entity": "id", "value": ID_NUMBER}], "intent": {"name": "x"}},
        "timestamp": 1.5,
    }
    masked = scrub(event)
    assert ID_NUMBER not in json.dumps(masked)
    assert masked["timestamp"] == 1.5
    assert event["parse_data"]["entities"][0]["value"] == ID_NUMBER  # the original is unchanged


STORE_CHECK = textwrap.dedent(
    """
    import asyncio, sys
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from bot_plugins.scrubbing_tracker_store import ScrubbingSQLTrackerStore

    ID = sys.argv[2]
    if sys.argv[1].startswith("postgresql"):
        host, port, db = sys.argv[3:6]
        store = ScrubbingSQLTrackerStore(
            dialect="postgresql", host=host, port=int(port), db=db, username="postgres"
        )
    else:
        store = ScrubbingSQLTrackerStore(dialect="sqlite", db=sys.argv[1])
    tracker = DialogueStateTracker("citizen-1", slots=[])
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(
        f"身份证 {ID}",
        parse_data={"text": f"身份证 {ID}", "intent": {"name": "inform", "confidence": 1.0},
                    "entities": [{"entity": "id", "value": ID}]},
    ))
    tracker.update(SlotSet("status_id_number", ID))
    tracker.update(BotUttered(f"您输入的是 {ID}"))
    asyncio.run(store.save(tracker))
    # The tracker of the current turn still has the raw number.
    assert tracker.latest_message.text == f"身份证 {ID}", tracker.latest_message.text
    assert tracker.events[-2].value == ID
    restored = asyncio.run(store.retrieve("citizen-1"))
    assert restored.latest_message.text == "身份证 3301**********1234", restored.latest_message.text
    tracker.update(SlotSet("other", "next turn"))
    asyncio.run(store.save(tracker))  # only the new event is appended
    print(len(list(asyncio.run(store.retrieve("citizen-1")).events)))
    """
)


def run_store_check(*args: str) -> str:
    return run_in_rasa(STORE_CHECK, *args)


def assert_masked(rows: list[str]) -> None:
    assert len(rows) == 5
    assert all(ID_NUMBER not in row for row in rows)
    assert any("3301**********1234" in row for row in rows)


def test_scrubbing_tracker_store_in_rasa_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    assert run_store_check(str(db), ID_NUMBER) == "5"
    with sqlite3.connect(db) as connection:
        assert_masked([row[0] for row in connection.execute("SELECT data FROM events")])
        # Written through the write-ahead log (no fsync per turn).
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_scrubbing_tracker_store_in_rasa_on_postgresql() -> None:
    with fresh_postgres_database() as url:
        parsed = make_url(url)
        count = run_store_check(
            "postgresql", ID_NUMBER, parsed.host or "127.0.0.1", str(parsed.port or 5432),
            str(parsed.database),
        )  # fmt: skip
        assert count == "5"
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                assert_masked(
                    [str(row[0]) for row in connection.exec_driver_sql("SELECT data FROM events")]
                )
        finally:
            engine.dispose()
