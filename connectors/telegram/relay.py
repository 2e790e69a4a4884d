"""Desk messages (staff replies, queue updates, the bot after a hand-back) → Telegram chats.

The handoff desk stores every message for a citizen in the database before delivering it
(backoffice/records/handoff/delivery.py). The relay reads the ones for channel "tg" and sends
them; each is first claimed with an insert into `telegram_relayed_messages`, so the polling
worker and any web process never send one twice, and messages written while no relay ran (a
restart) are sent when it comes back (within `LOOKBACK`). `RelayDelivery` is the channel's
`ChatDelivery`: it only wakes the relay of its process; without one (web process, polling
mode) the worker's relay finds the message at its next poll (`poll_seconds`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from backoffice.records.handoff.delivery import ChatDelivery, OutboundMessage
from connectors.desk_text import desk_text
from connectors.telegram.replies import ReplyWriter
from connectors.telegram.texts import telegram_text
from core.chat import Button

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0


@dataclass(frozen=True)
class DeskMessage:
    """A stored desk message for a Telegram citizen."""

    id: int
    chat_id: str
    kind: str
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    staff_name: str | None = None


class DeskOutbox(Protocol):
    """The desk's stored messages for Telegram citizens (the database in production)."""

    async def pending(self) -> list[DeskMessage]:
        """Messages not relayed yet, oldest first."""

    async def claim(self, message_id: int) -> bool:
        """Take a message for sending; False when another process did."""

    async def finish(self, message_id: int, *, sent: bool) -> None:
        """Record the outcome (a failed send is also kept in the failed-sends table)."""


class HandoffRelay:
    """Sends the desk's messages to Telegram chats.

    Args:
        outbox: The stored desk messages.
        writer: Renders and sends.
        poll_seconds: How often to look without a wake-up.
    """

    def __init__(
        self, *, outbox: DeskOutbox, writer: ReplyWriter, poll_seconds: float = POLL_SECONDS
    ) -> None:
        self._outbox = outbox
        self._writer = writer
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look now (the desk just stored something)."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Send every pending message; returns how many this process sent."""
        sent = 0
        for message in await self._outbox.pending():
            if not await self._outbox.claim(message.id):
                continue
            buttons = [Button(title=b["title"], payload=b["payload"]) for b in message.buttons]
            ok = await self._writer.send_text(
                message.chat_id, desk_text(message, telegram_text), buttons
            )
            await self._outbox.finish(message.id, sent=ok)
            sent += int(ok)
        return sent

    async def run(self) -> None:
        """Relay until cancelled."""
        while True:
            self._wake.clear()
            try:
                await self.relay_once()
            except Exception:  # the database may be briefly unavailable: try again later
                logger.exception("telegram relay pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)


class RelayDelivery(ChatDelivery):
    """The Telegram channel's delivery for the handoff desk: wakes this process's relay.

    Args:
        relay: The relay running in this process, or None when another process relays.
    """

    def __init__(self, relay: HandoffRelay | None) -> None:
        self._relay = relay

    async def deliver(
        self, *, conversation_id: str, sender: str, messages: Sequence[OutboundMessage]
    ) -> None:
        """The messages are stored already; the relay sends them."""
        if self._relay is not None:
            self._relay.wake()
