"""API shapes of the handoff desk."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CONVERSATION_ID = r"^[a-z]{2,16}-[A-Za-z0-9_-]{1,140}$"
CODE = r"^[a-z][a-z0-9_]{0,63}$"


class TranscriptLineIn(BaseModel):
    """One line of the conversation before the handover."""

    kind: Literal["citizen", "bot"]
    text: str = Field(max_length=5000)


class TicketRequest(BaseModel):
    """The assistant asks for a person (sent by the action server)."""

    conversation_id: str = Field(pattern=CONVERSATION_ID)
    reason: str = Field(pattern=CODE)
    reason_detail: str | None = Field(default=None, max_length=200)
    service: str | None = Field(default=None, pattern=CODE)
    urgency: Literal["normal", "urgent"] = "normal"
    slots: dict[str, Any] = Field(default_factory=dict)
    active_form: str | None = Field(default=None, max_length=64)
    transcript: list[TranscriptLineIn] = Field(default_factory=list, max_length=200)
    # Reference numbers from the whole conversation (also before a restart): HY-…, YS-….
    references: list[str] = Field(default_factory=list, max_length=50)


class TicketOutcome(BaseModel):
    """What the assistant tells the citizen after asking for a person."""

    outcome: Literal["queued", "already_queued", "outside_hours"]
    ticket_id: int | None = None
    position: int | None = None
    wait_minutes: int | None = None
    hours: str
    next_opening: dt.datetime | None = None
    next_opening_text: str | None = None


class Availability(BaseModel):
    """Whether staff take conversations now."""

    open: bool
    hours: str
    next_opening: dt.datetime | None = None
    next_opening_text: str | None = None


class CallbackIn(BaseModel):
    """A citizen's call-back request (sent by the action server)."""

    conversation_id: str = Field(pattern=CONVERSATION_ID)
    phone: str = Field(min_length=3, max_length=40)
    preferred_time: str = Field(min_length=1, max_length=100)
    service: str | None = Field(default=None, pattern=CODE)
    reason: str = Field(default="citizen_request", pattern=CODE)


class CallbackOut(BaseModel):
    """A call-back request as staff see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    channel: str
    phone: str
    preferred_time: str
    preferred_date: dt.date | None
    preferred_half_day: str | None
    service: str | None
    reason: str
    status: str
    created_at: dt.datetime
    done_at: dt.datetime | None


class CallbackReceipt(BaseModel):
    """What the assistant tells the citizen after a call-back request."""

    id: int
    phone_masked: str
    preferred_time: str
    hours: str
    next_opening_text: str | None = None


class LoginIn(BaseModel):
    """Staff credentials."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=72)


class StaffOut(BaseModel):
    """The logged-in staff member."""

    id: int
    username: str
    display_name: str
    role: str
    on_duty_until: dt.datetime | None


class DutyIn(BaseModel):
    """Switch extra duty (outside office hours) on or off."""

    on: bool


class TextIn(BaseModel):
    """A reply or a private note."""

    text: str = Field(min_length=1, max_length=2000)


class HandBackIn(BaseModel):
    """Hand the conversation back to the bot, optionally choosing where it resumes."""

    resume_intent: str | None = Field(default=None, pattern=CODE)


class QueueItem(BaseModel):
    """One open ticket in the staff queue."""

    id: int
    conversation_id: str
    channel: str
    service: str | None
    reason: str
    reason_detail: str | None
    urgency: str
    status: str
    position: int | None
    waiting_seconds: int
    created_at: dt.datetime
    claimed_by: str | None
    claimed_by_id: int | None


class QueueSnapshot(BaseModel):
    """The open tickets and the desk state."""

    tickets: list[QueueItem]
    open: bool
    staff_available: int


class MessageOut(BaseModel):
    """One message of a ticket's transcript (staff view)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    text: str
    buttons: list[dict[str, str]]
    staff_name: str | None
    created_at: dt.datetime


class TicketView(BaseModel):
    """A ticket with its case summary and transcript."""

    ticket: QueueItem
    summary: dict[str, Any]
    messages: list[MessageOut]
    resume_points: list[dict[str, str]]


class StaffLoad(BaseModel):
    """A staff member's work, for the supervisor."""

    id: int
    username: str
    display_name: str
    role: str
    handled_today: int
    handling_now: int
    last_seen_at: dt.datetime | None
    on_duty_until: dt.datetime | None


class Overview(BaseModel):
    """Supervisor view: all open tickets, waiting times, handled counts."""

    queue: QueueSnapshot
    staff: list[StaffLoad]
    waiting: int
    claimed: int
    longest_wait_seconds: int
    open_callbacks: int
