"""Every channel's messages pass through here: normalise once, then hand to the bot.

With a handoff desk attached, two checks come first, before Rasa sees anything: crisis words
(emergency numbers at once and an urgent ticket), and ownership (while a ticket is waiting or
claimed, the citizen's messages go to the ticket and the bot stays silent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from connectors.rasa_client import RasaClient
from core.chat import BotMessage, HumanTurn, conversation_id, without_ticket_marker
from core.messages import message
from zhtext.normalise import normalise


@dataclass
class RouterReply:
    """What a channel shows the citizen after one message.

    `receipt` is a quiet status ("已送达人工客服 小王"), not a message: the web chat shows it under
    the citizen's own message; Telegram and WeChat send it as a short line after the notices
    (`notices_and_receipt`).
    """

    messages: list[BotMessage] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    receipt: str | None = None

    def notices_and_receipt(self) -> list[str]:
        """The notices, then the receipt as one more line (for channels without a status line)."""
        return [*self.notices, *([self.receipt] if self.receipt else [])]


class HandoffGate(Protocol):
    """What the router needs from the handoff desk (backoffice.records.handoff.desk)."""

    def detect_crisis(self, text: str) -> Any:
        """The crisis category whose words occur in `text`, or None."""

    async def open_crisis(
        self, *, channel: str, sender: str, text: str, category: Any
    ) -> HumanTurn:
        """Emergency numbers and an urgent ticket."""

    async def take_if_owned(self, *, channel: str, sender: str, text: str) -> HumanTurn | None:
        """The reply when a person owns the conversation, else None."""

    async def after_bot_turn(self, *, channel: str, sender: str) -> None:
        """Called after a Rasa turn that opened a ticket (`core.chat.TICKET_OPENED`)."""


class ConversationRouter:
    """Routes a citizen's message to the assistant.

    Args:
        rasa: Client of the Rasa server.
        max_chars: Longest message passed on; longer ones are cut with a notice.
        handoff: The handoff desk (crisis words, human ownership); None: bot only.
    """

    def __init__(
        self, *, rasa: RasaClient, max_chars: int, handoff: HandoffGate | None = None
    ) -> None:
        self._rasa = rasa
        self._max_chars = max_chars
        self._handoff = handoff

    async def handle(
        self, *, channel: str, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> RouterReply:
        """Normalise `text` and return the replies for it.

        Raises:
            AssistantUnavailableError: The assistant cannot answer right now.
        """
        reply = RouterReply()
        normalised = normalise(text, max_chars=self._max_chars)
        if normalised.is_empty:
            reply.notices.append(message("empty_input"))
            return reply
        if normalised.truncated:
            reply.notices.append(message("truncated", max_chars=self._max_chars))
        if self._handoff is not None:
            human = await self._human_turn(channel=channel, sender=sender, text=normalised.text)
            if human is not None:
                reply.messages = human.messages
                reply.notices += human.notices
                reply.receipt = human.receipt
                return reply
        reply.messages, opened_ticket = without_ticket_marker(
            await self._rasa.send(
                sender_id=conversation_id(channel, sender), text=normalised.text, metadata=metadata
            )
        )
        if self._handoff is not None and opened_ticket:
            await self._handoff.after_bot_turn(channel=channel, sender=sender)
        if not reply.messages:
            # Rasa always answers a citizen; silence means an action failed on the way.
            reply.notices.append(message("no_reply"))
        return reply

    async def _human_turn(self, *, channel: str, sender: str, text: str) -> HumanTurn | None:
        """Crisis words first (deterministic, before any NLU), then human ownership."""
        assert self._handoff is not None
        category = self._handoff.detect_crisis(text)
        if category is not None:
            return await self._handoff.open_crisis(
                channel=channel, sender=sender, text=text, category=category
            )
        return await self._handoff.take_if_owned(channel=channel, sender=sender, text=text)
