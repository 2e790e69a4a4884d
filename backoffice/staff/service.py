"""Reads and writes of the staff table for log-in and log-out."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backoffice.db import utcnow
from backoffice.staff.models import StaffUser


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
