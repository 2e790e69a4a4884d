"""Talking to the bot as the web chat page does: ``POST /api/chat`` and the reply it gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

CHAT_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class ReplyButton:
    """A button of a bot message."""

    title: str
    payload: str


@dataclass(frozen=True)
class BotReply:
    """Everything the gateway answered to one message."""

    texts: tuple[str, ...] = ()
    buttons: tuple[ReplyButton, ...] = ()
    notices: tuple[str, ...] = ()
    receipt: str | None = None

    @property
    def text(self) -> str:
        """All message texts, one per line."""
        return "\n".join(self.texts)

    @property
    def button_titles(self) -> list[str]:
        """Titles of all buttons, in order."""
        return [button.title for button in self.buttons]

    def payload_for(self, title: str) -> str | None:
        """The payload of the button titled `title` (spaces around either ignored), or None."""
        wanted = title.strip()
        return next((b.payload for b in self.buttons if b.title.strip() == wanted), None)

    @classmethod
    def from_gateway(cls, body: dict[str, Any]) -> BotReply:
        """Build from the JSON of ``POST /api/chat``."""
        messages = body.get("messages") or []
        return cls(
            texts=tuple(m["text"] for m in messages if m.get("text")),
            buttons=tuple(
                ReplyButton(title=b["title"], payload=b["payload"])
                for m in messages
                for b in m.get("buttons") or []
            ),
            notices=tuple(body.get("notices") or []),
            receipt=body.get("receipt") or None,
        )


class ChatError(RuntimeError):
    """The gateway did not answer with a reply (HTTP error, 5xx, bad JSON)."""


class ChatClient(Protocol):
    """Sends one message of a citizen and returns the reply."""

    def send(self, sender: str, message: str) -> BotReply:
        """Send `message` as `sender`."""
        ...


class GatewayChatClient:
    """Talks to the web gateway's chat endpoint, as the web chat page does.

    Args:
        web_url: Base URL of the web app.
        timeout: Seconds to wait for one reply.
        transport: Optional transport, for tests.
    """

    def __init__(
        self,
        web_url: str,
        *,
        timeout: float = CHAT_TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = web_url.rstrip("/") + "/api/chat"
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def send(self, sender: str, message: str) -> BotReply:
        """Post one message; raise ChatError unless the answer is 200 with a reply body."""
        try:
            response = self._http.post(self._url, json={"sender": sender, "message": message})
        except httpx.HTTPError as error:
            raise ChatError(f"POST {self._url} failed: {error}") from None
        if response.status_code != httpx.codes.OK:
            raise ChatError(f"POST {self._url} answered {response.status_code}: {response.text}")
        try:
            return BotReply.from_gateway(response.json())
        except (ValueError, KeyError, TypeError) as error:
            raise ChatError(f"unexpected reply body {response.text[:300]!r}: {error}") from None

    def close(self) -> None:
        """Close the connections."""
        self._http.close()
