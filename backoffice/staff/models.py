"""The staff table (created by the handoff migrations: `handoff_staff`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.db import Base, utcnow

AGENT = "agent"
SUPERVISOR = "supervisor"


class StaffUser(Base):
    """A hotline staff member who may log in to the console."""

    __tablename__ = "handoff_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # Shown to citizens ("小王"), never the full name.
    display_name: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16), default=AGENT)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout: every signed session cookie issued before becomes invalid.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # Outside office hours a staff member may take conversations until this moment.
    on_duty_until: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
