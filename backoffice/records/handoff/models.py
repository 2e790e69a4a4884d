"""转人工 records: tickets, every message of a ticket, call-back requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.db import Base, utcnow

# Ticket statuses. waiting and claimed are "open": a person owns the conversation.
WAITING = "waiting"
CLAIMED = "claimed"
CLOSED = "closed"
HANDED_BACK = "handed_back"
CANCELLED = "cancelled"
OPEN_STATUSES = (WAITING, CLAIMED)

URGENT = "urgent"
NORMAL = "normal"

# Message kinds. citizen: from the citizen; staff: a staff reply; bot: the assistant (the
# transcript before the handover, and its greeting after the hand-back); status: a notice to
# the citizen from the desk (joined, queue position); note: private, staff only.
CITIZEN = "citizen"
STAFF = "staff"
BOT = "bot"
STATUS = "status"
NOTE = "note"


class HandoffTicket(Base):
    """A conversation handed to a person; open while waiting or claimed."""

    __tablename__ = "handoff_tickets"
    __table_args__ = (Index("ix_handoff_tickets_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(160), index=True)
    # Equal to conversation_id while the ticket is open, NULL afterwards: the unique constraint
    # allows at most one open ticket per conversation (NULLs do not collide).
    open_conversation_id: Mapped[str | None] = mapped_column(String(160), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str] = mapped_column(String(128))
    service: Mapped[str | None] = mapped_column(String(64), default=None)
    reason: Mapped[str] = mapped_column(String(64))
    reason_detail: Mapped[str | None] = mapped_column(String(200), default=None)
    urgency: Mapped[str] = mapped_column(String(16), default=NORMAL)
    status: Mapped[str] = mapped_column(String(16), default=WAITING)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("handoff_staff.id"), default=None)
    # Case summary taken when the ticket opened: slots (ID numbers masked), active form, etc.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resume_intent: Mapped[str | None] = mapped_column(String(64), default=None)
    # The queue position the citizen was last told (so changes are told once).
    told_position: Mapped[int | None] = mapped_column(Integer, default=None)
    # True while Rasa's tracker of this conversation is paused by us.
    rasa_paused: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("handoff_staff.id"), default=None)


class HandoffMessage(Base):
    """One message of a ticket, on either side, including private notes."""

    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("handoff_tickets.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(160), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("handoff_staff.id"), default=None)
    staff_name: Mapped[str | None] = mapped_column(String(32), default=None)
    # True when the desk must push it to the citizen (staff reply, status, bot after hand-back);
    # False for what the citizen already saw (their own words, the earlier transcript).
    push_to_citizen: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CallbackRequest(Base):
    """A citizen asked to be called back (outside office hours)."""

    __tablename__ = "handoff_callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(160), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32))
    preferred_time: Mapped[str] = mapped_column(String(100))
    preferred_date: Mapped[dt.date | None] = mapped_column(default=None)
    preferred_half_day: Mapped[str | None] = mapped_column(String(8), default=None)
    service: Mapped[str | None] = mapped_column(String(64), default=None)
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("handoff_staff.id"), default=None)
