"""Every channel's messages pass through here: normalise once, then hand to the bot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.messages import message
from connectors.rasa_client import BotMessage, RasaClient
from zhtext.normalise import normalise


@dataclass
class RouterReply:
    """What a channel shows the citizen after one message."""

    messages: list[BotMessage] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def conversation_id(channel: str, sender: str) -> str:
    """The id Rasa and the back office know a conversation by (unique across channels)."""
    return f"{channel}-{sender}"


class ConversationRouter:
    """Routes a citizen's message to the assistant.

    Args:
        rasa: Client of the Rasa server.
        max_chars: Longest message passed on; longer ones are cut with a notice.
    """

    def __init__(self, *, rasa: RasaClient, max_chars: int) -> None:
        self._rasa = rasa
        self._max_chars = max_chars

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
        reply.messages = await self._rasa.send(
            sender_id=conversation_id(channel, sender), text=normalised.text, metadata=metadata
        )
        if not reply.messages:
            # Rasa always answers a citizen; silence means an action failed on the way.
            reply.notices.append(message("no_reply"))
        return reply
