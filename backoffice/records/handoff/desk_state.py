"""What the desk answers, as plain values; the routes and streams map them in `mapping.py`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from backoffice.records.handoff.models import HandoffTicket


@dataclass(frozen=True)
class DeskHours:
    """Whether staff take conversations now (office hours or extra duty), and when next."""

    open: bool
    hours: str
    next_opening: dt.datetime | None = None
    next_opening_text: str | None = None


@dataclass(frozen=True)
class HandoffOutcome:
    """What became of the assistant's request for a person."""

    outcome: Literal["queued", "already_queued", "outside_hours"]
    hours: str
    ticket_id: int | None = None
    position: int | None = None
    wait_minutes: int | None = None
    next_opening: dt.datetime | None = None
    next_opening_text: str | None = None


@dataclass(frozen=True)
class QueueEntry:
    """One open ticket with its place (waiting ones), who claimed it and how long it waited."""

    ticket: HandoffTicket
    position: int | None
    claimed_by: str | None
    waiting_seconds: int


@dataclass(frozen=True)
class QueueState:
    """The open tickets (urgent and oldest waiting first, then claimed) and the desk state."""

    entries: list[QueueEntry]
    open: bool
    staff_available: int


@dataclass(frozen=True)
class CallbackRecorded:
    """A call-back request just stored, and the desk's hours to tell the citizen."""

    id: int
    phone: str
    preferred_time: str
    hours: DeskHours
