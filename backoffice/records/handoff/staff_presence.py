"""Who can take a conversation: staff seen in the console lately, and extra duty out of hours."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backoffice.db import utcnow
from backoffice.records.handoff.state_changes import apply_update
from backoffice.staff.models import StaffUser

STAFF_SEEN_WINDOW = dt.timedelta(minutes=15)


def set_duty(*, session: Session, staff_id: int, until: dt.datetime | None) -> None:
    """Take conversations outside office hours until `until` (None: stop)."""
    apply_update(
        session, update(StaffUser).where(StaffUser.id == staff_id).values(on_duty_until=until)
    )


def staff_available(*, session: Session, now: dt.datetime | None = None) -> int:
    """How many active staff members used the console in the last 15 minutes."""
    since = (now or utcnow()) - STAFF_SEEN_WINDOW
    return int(
        session.scalar(
            select(func.count(StaffUser.id)).where(
                StaffUser.active.is_(True), StaffUser.last_seen_at >= since
            )
        )
        or 0
    )


def someone_on_duty(*, session: Session, now: dt.datetime | None = None) -> bool:
    """True when a staff member has switched on extra duty (outside office hours) until later."""
    moment = now or utcnow()
    return (
        session.scalar(
            select(func.count(StaffUser.id)).where(
                StaffUser.active.is_(True), StaffUser.on_duty_until > moment
            )
        )
        or 0
    ) > 0


def all_staff(*, session: Session) -> list[StaffUser]:
    """Every staff member, by username."""
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))
