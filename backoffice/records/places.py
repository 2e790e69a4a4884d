"""Places of a capacity row: a half-day at a registry office, a visit half-day at a care home.

A place is taken with a conditional UPDATE (`booked < capacity`, the row count checked), so two
writers never both take the last one; the row is created on first use (insert or ignore). The
same statements work on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm import Session

from backoffice.db import insert_ignore, rowcount


def take_place(session: Session, slot: type[Any], key: Mapping[str, Any], *, capacity: int) -> bool:
    """Take one place of the `slot` row named by `key` (its columns and values).

    The row is created with `capacity` places when missing. Returns whether a place was left.
    """
    insert_ignore(session, slot, {**key, "capacity": capacity, "booked": 0})
    taken = session.execute(
        update(slot)
        .where(*_matching(slot, key), slot.booked < slot.capacity)
        .values(booked=slot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    return rowcount(taken) == 1


def release_place(session: Session, slot: type[Any], key: Mapping[str, Any]) -> None:
    """Give one place of the `slot` row named by `key` back."""
    session.execute(
        update(slot)
        .where(*_matching(slot, key), slot.booked > 0)
        .values(booked=slot.booked - 1)
        .execution_options(synchronize_session=False)
    )


def _matching(slot: type[Any], key: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    return [getattr(slot, column) == value for column, value in key.items()]
