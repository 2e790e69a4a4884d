"""Reference numbers (HY-20261128-0001, YL-…, CS-…): one allocator, safe under concurrency.

A counter row holds the last number handed out for one key (a day, or a prefix and a day). The
row is created if missing (INSERT … ON CONFLICT DO NOTHING), then one UPDATE … RETURNING takes
the next number. PostgreSQL keeps the row locked until the caller's transaction ends and SQLite
locks the whole database for a writer, so two transactions never get the same number; a booking
that rolls back gives its number back with everything else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from backoffice.db import insert_ignore


def next_number(session: Session, counter: type[Any], **key: object) -> int:
    """The next number of the `counter` row with `key` (in the caller's transaction).

    Args:
        session: The caller's session; the number is taken in its transaction.
        counter: A model with the key columns and an integer `last_number`.
        key: The counter row's key columns and their values.
    """
    table: Table = counter.__table__
    insert_ignore(session, counter, {**key, "last_number": 0})
    number = session.execute(
        update(table)
        .where(*(table.c[name] == value for name, value in key.items()))
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    ).scalar_one()
    return int(number)


def format_reference(prefix: str, day: dt.date, number: int) -> str:
    """`HY-20261128-0001` from ("HY", 2026-11-28, 1)."""
    return f"{prefix}-{day:%Y%m%d}-{number:04d}"
