"""How messages from the desk (staff replies, notices, the bot after a hand-back) reach a citizen.

Every channel implements `ChatDelivery`. The messages are already stored with the ticket (the
outbox) before delivery is attempted, so a failed delivery loses nothing: the web chat re-reads
the outbox on reconnect, and other channels can retry from it.

Web chat: `HubDelivery` wakes the page's event stream (`GET /api/chat/{sender}/events`).
Telegram / WeChat connectors register their own implementation with `DeliveryRegistry.register`.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from backoffice.records.handoff.events import EventHub

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboundMessage:
    """One message for the citizen.

    Attributes:
        id: Message id in the ticket's transcript (also the SSE event id).
        kind: "staff", "bot" or "status".
        text: The text.
        buttons: Choices (bot messages), `{"title", "payload"}`.
        staff_name: Display name of the staff member (staff messages).
    """

    id: int
    kind: str
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    staff_name: str | None = None

    def to_event(self) -> dict[str, Any]:
        """The JSON the web chat page renders (see connectors/webchat/static/chat.js)."""
        if self.kind == "status":
            return {"type": "status", "text": self.text}
        event: dict[str, Any] = {"from": self.kind, "text": self.text, "buttons": self.buttons}
        if self.staff_name:
            event["staff_name"] = self.staff_name
        return event


class ChatDelivery(abc.ABC):
    """Sends desk messages to the citizens of one channel."""

    @abc.abstractmethod
    async def deliver(
        self, *, conversation_id: str, sender: str, messages: Sequence[OutboundMessage]
    ) -> None:
        """Deliver `messages` (oldest first) to the citizen `sender` of `conversation_id`."""


class HubDelivery(ChatDelivery):
    """For channels whose client keeps an event stream open (the web chat): wake the stream."""

    def __init__(self, hub: EventHub) -> None:
        self._hub = hub

    async def deliver(
        self, *, conversation_id: str, sender: str, messages: Sequence[OutboundMessage]
    ) -> None:
        """Wake the conversation's stream; it reads the outbox itself."""
        self._hub.notify(conversation_topic(conversation_id))


class DeliveryRegistry:
    """The delivery of each channel."""

    def __init__(self) -> None:
        self._by_channel: dict[str, ChatDelivery] = {}

    def register(self, channel: str, delivery: ChatDelivery) -> None:
        """Use `delivery` for conversations of `channel`."""
        self._by_channel[channel] = delivery

    async def deliver(
        self,
        *,
        channel: str,
        conversation_id: str,
        sender: str,
        messages: Sequence[OutboundMessage],
    ) -> None:
        """Deliver through the channel's delivery; a failure is logged (the outbox keeps them)."""
        delivery = self._by_channel.get(channel)
        if delivery is None:
            # The channel's own worker (e.g. Telegram polling) reads the outbox itself.
            logger.info(
                "no delivery for %s in this process: %d message(s) left in the outbox",
                channel,
                len(messages),
            )
            return
        try:
            await delivery.deliver(
                conversation_id=conversation_id, sender=sender, messages=messages
            )
        except Exception:  # a channel's outage must not fail the staff member's request
            logger.exception("delivery to %s failed; the messages stay in the outbox", channel)


def conversation_topic(conversation_id: str) -> str:
    """Hub topic of a conversation's citizen outbox."""
    return f"conversation:{conversation_id}"


def ticket_topic(ticket_id: int) -> str:
    """Hub topic of a ticket's transcript (console)."""
    return f"ticket:{ticket_id}"


QUEUE_TOPIC = "queue"
