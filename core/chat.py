"""What a conversation is made of, for every layer that carries one.

The bot's messages and their buttons, the desk's reply, and the id a conversation is known by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field


class Button(BaseModel):
    """A choice the bot offers; pressing it sends `payload`."""

    title: str
    payload: str


class BotMessage(BaseModel):
    """One message of the bot, as every channel renders it."""

    text: str | None = None
    buttons: list[Button] = Field(default_factory=list)
    image: str | None = None
    custom: dict[str, Any] | None = None


# Said by the bot to the gateway, never shown: this turn opened a handoff ticket (the gateway then
# has the desk pause Rasa; every other turn needs no look at the desk afterwards).
TICKET_OPENED: dict[str, Any] = {"gateway": "handoff_ticket_opened"}


def without_ticket_marker(messages: list[BotMessage]) -> tuple[list[BotMessage], bool]:
    """The messages a citizen sees, and whether the turn said it opened a handoff ticket."""
    shown = [message for message in messages if message.custom != TICKET_OPENED]
    return shown, len(shown) != len(messages)


@dataclass
class HumanTurn:
    """The reply when the desk, not the bot, answers a message.

    Attributes:
        messages: Said to the citizen (emergency numbers, the queue ...).
        notices: Shown as the gateway's notices.
        receipt: A quiet status, not a message: the citizen's words reached the staff member
            ("已送达人工客服 小王"); the web chat shows it under the citizen's own message.
    """

    messages: list[BotMessage] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    receipt: str | None = None


def conversation_id(channel: str, sender: str) -> str:
    """The id Rasa and the back office know a conversation by (unique across channels)."""
    return f"{channel}-{sender}"


def split_conversation_id(value: str) -> tuple[str, str]:
    """`("web", "abc…")` from "web-abc…" (the inverse of `conversation_id`)."""
    channel, _, sender = value.partition("-")
    return channel, sender
