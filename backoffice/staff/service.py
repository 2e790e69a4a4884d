"""Reads and writes of the staff table: accounts, log-in and log-out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backoffice.db import utcnow
from backoffice.staff.models import AGENT, SUPERVISOR, StaffUser
from backoffice.staff.passwords import hash_password, verify_password


def staff_by_username(*, session: Session, username: str) -> StaffUser | None:
    """The staff member with `username`."""
    return session.scalar(select(StaffUser).where(StaffUser.username == username))


def touch_staff(*, session: Session, staff_id: int, now: dt.datetime | None = None) -> None:
    """Record that a staff member is at the console now."""
    session.execute(
        update(StaffUser).where(StaffUser.id == staff_id).values(last_seen_at=now or utcnow()),
        execution_options={"synchronize_session": False},
    )
    session.commit()


def bump_session_epoch(*, session: Session, staff_id: int) -> None:
    """Invalidate every session cookie of a staff member (logout)."""
    session.execute(
        update(StaffUser)
        .where(StaffUser.id == staff_id)
        .values(session_epoch=StaffUser.session_epoch + 1),
        execution_options={"synchronize_session": False},
    )
    session.commit()


def upsert_staff(*, session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert or update staff by username (a password is re-hashed only when it changed)."""
    for row in rows:
        role = str(row.get("role", AGENT))
        if role not in (AGENT, SUPERVISOR):
            raise ValueError(f"staff {row['username']}: unknown role {role}")
        staff = staff_by_username(session=session, username=str(row["username"]))
        if staff is None:
            staff = StaffUser(username=str(row["username"]), session_epoch=0, active=True)
            session.add(staff)
        staff.display_name = str(row["display_name"])
        staff.role = role
        password = str(row["password"])
        if not staff.password_hash or not verify_password(password, staff.password_hash):
            staff.password_hash = hash_password(password)
    session.commit()
    return len(rows)
