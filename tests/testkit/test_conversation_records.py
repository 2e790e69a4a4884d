"""The conversation runner's `records:` checks against a database, without a live stack."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, create_engine, insert

from testkit.conversations import ConversationRunner
from tests.testkit.runner_support import MENU, SATURDAY, FakeChat, parse


@pytest.fixture
def bookings_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    engine = create_engine(url)
    metadata = MetaData()
    bookings = Table(
        "bookings",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("status", String(16)),
        Column("day", Date),
        Column("people", Integer),
        Column("note", String(32), nullable=True),
        Column("conversation_id", String(80)),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(bookings),
            [
                {"status": "booked", "day": dt.date(2026, 11, 30), "people": 2, "note": None,
                 "conversation_id": "web-conv-x-1"},
                {"status": "cancelled", "day": dt.date(2026, 12, 2), "people": 1, "note": "改期",
                 "conversation_id": "web-other"},
            ],
        )  # fmt: skip
    engine.dispose()
    return url


def run_records(url: str, records_yaml: str):
    chat = FakeChat({"你好": MENU})
    runner = ConversationRunner(chat=chat, database_url=url, today=SATURDAY)
    loaded = parse("title: t\nturns:\n  - user: 你好\nrecords:\n" + textwrap.dedent(records_yaml))
    result = runner.run(loaded, sender="conv-x-1")
    runner.close()
    return result


def test_records_conditions_are_converted_to_column_types(bookings_db: str) -> None:
    result = run_records(
        bookings_db,
        """\
        - table: bookings
          where: {status: booked, day: '{next_working_day}', people: 2, note: null,
                  conversation_id: '{conversation_id}'}
          count: 1
        - table: bookings
          where: {status: [booked, cancelled]}
          count: 2
        - table: bookings
          where: {day: {gte: '{today}'}, people: {lt: 3}, note: {like: '改%'}}
        - table: bookings
          where: {status: booked, day: '{next_week_wed}'}
          count: 0
        """,
    )
    assert result.passed, result.report()


def test_wrong_record_count_shows_the_rows(bookings_db: str) -> None:
    result = run_records(bookings_db, "- table: bookings\n  where: {status: booked}\n  count: 2\n")
    assert not result.passed
    report = result.report()
    assert "records check 1 (line 5): expected bookings where status=booked" in report
    assert "(exactly 2 row(s)), found 1; 2 row(s) in bookings" in report
    assert "'status': 'cancelled'" in report


@pytest.mark.parametrize(
    ("records_yaml", "fragment"),
    [
        ("- table: bokings\n", "no table 'bokings' in the back office; tables: bookings"),
        ("- table: bookings\n  where: {stat: x}\n", "no column 'stat'; columns: id, status"),
        ("- table: bookings\n  where: {people: two}\n", "bookings.people: 'two' is not a int"),
        ("- table: bookings\n  where: {day: {after: x}}\n", "op one of ne, gt"),
    ],
)
def test_wrong_records_checks_are_explained(
    bookings_db: str, records_yaml: str, fragment: str
) -> None:
    result = run_records(bookings_db, records_yaml)
    assert not result.passed
    assert fragment in result.report()


def test_records_are_not_checked_after_a_failed_turn(bookings_db: str) -> None:
    chat = FakeChat({"你好": MENU})
    runner = ConversationRunner(chat=chat, database_url=bookings_db, today=SATURDAY)
    loaded = parse(
        "title: t\nturns:\n  - user: 你好\n    expect: 没有\nrecords:\n  - table: nope\n"
    )
    result = runner.run(loaded)
    assert not result.passed
    assert "no table" not in result.report()
