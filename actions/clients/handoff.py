"""Typed back-office API: the handoff desk (open a ticket, office hours, call-backs)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, Field

from actions.clients.backoffice import BackofficeTransport, get_transport


class TranscriptLine(BaseModel):
    """One line of the conversation before the handover."""

    kind: Literal["citizen", "bot"]
    text: str


class TicketRequest(BaseModel):
    """Ask for a person for one conversation."""

    conversation_id: str
    reason: str
    reason_detail: str | None = None
    service: str | None = None
    urgency: Literal["normal", "urgent"] = "normal"
    slots: dict[str, Any] = Field(default_factory=dict)
    active_form: str | None = None
    transcript: list[TranscriptLine] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)


class TicketOutcome(BaseModel):
    """Queued (with the place and estimated wait), already queued, or outside office hours."""

    outcome: Literal["queued", "already_queued", "outside_hours"]
    ticket_id: int | None = None
    position: int | None = None
    wait_minutes: int | None = None
    hours: str
    next_opening: dt.datetime | None = None
    next_opening_text: str | None = None


class CallbackRequest(BaseModel):
    """A call-back request."""

    conversation_id: str
    phone: str
    preferred_time: str
    service: str | None = None
    reason: str = "citizen_request"


class CallbackReceipt(BaseModel):
    """The recorded call-back, as the citizen is told."""

    id: int
    phone_masked: str
    preferred_time: str
    hours: str
    next_opening_text: str | None = None


class HandoffApi:
    """The handoff desk of the back office."""

    def __init__(self, transport: BackofficeTransport) -> None:
        self._transport = transport

    async def request_ticket(self, request: TicketRequest) -> TicketOutcome:
        """Open a ticket (idempotent per conversation), or learn that staff are off duty."""
        response = await self._transport.request(
            "POST", "/api/handoff/bot/tickets", json=request.model_dump(mode="json")
        )
        return TicketOutcome.model_validate_json(response.content)

    async def request_callback(self, request: CallbackRequest) -> CallbackReceipt:
        """Record a call-back request.

        Raises:
            BackofficeRejectedError: code "bad_phone" when the number is not a personal phone.
        """
        response = await self._transport.request(
            "POST", "/api/handoff/bot/callbacks", json=request.model_dump(mode="json")
        )
        return CallbackReceipt.model_validate_json(response.content)


@lru_cache(maxsize=1)
def get_handoff_api() -> HandoffApi:
    """The shared handoff API of this process."""
    return HandoffApi(get_transport())
