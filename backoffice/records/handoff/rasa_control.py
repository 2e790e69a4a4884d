"""Tells Rasa about a handover through its HTTP API (rasa runs with --enable-api).

Pause while a person owns the conversation, resume afterwards, and trigger an intent so the bot
greets the citizen again where it stopped. Rasa's tracker then shows the whole story.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from core.rasa_pool import RasaPool


class RasaControlError(Exception):
    """Rasa could not be reached or refused the call."""


class RasaControl:
    """Async client of Rasa's conversation API.

    Args:
        rasa_url: Base URL of the Rasa server (used when `rasa_urls` is empty).
        timeout: Seconds to wait for one call.
        transport: Optional transport, for tests.
        rasa_urls: Several Rasa replicas sharing their stores (production profile).
    """

    def __init__(
        self,
        *,
        rasa_url: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        rasa_urls: Sequence[str] = (),
    ) -> None:
        self._pool = RasaPool(list(rasa_urls) or [rasa_url], timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._pool.aclose()

    async def pause(self, conversation_id: str) -> None:
        """Stop Rasa's policies from acting on the conversation."""
        await self._append_event(conversation_id, {"event": "pause"})

    async def resume(self, conversation_id: str) -> None:
        """Let Rasa's policies act on the conversation again."""
        await self._append_event(conversation_id, {"event": "resume"})

    async def trigger_intent(self, conversation_id: str, intent: str) -> list[dict[str, Any]]:
        """Run `intent` as if the citizen said it; returns the bot's messages."""
        body = await self._call(
            "POST", f"{_path(conversation_id)}/trigger_intent", json={"name": intent}
        )
        messages = body.get("messages") if isinstance(body, dict) else None
        return [m for m in messages or [] if isinstance(m, dict)]

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker (slots, events since the last restart)."""
        body = await self._call("GET", f"{_path(conversation_id)}/tracker")
        return body if isinstance(body, dict) else {}

    async def _append_event(self, conversation_id: str, event: dict[str, Any]) -> None:
        await self._call("POST", f"{_path(conversation_id)}/tracker/events", json=event)

    async def _call(self, method: str, path: str, *, json: Any = None) -> Any:
        try:
            response = await self._pool.request(method, path, json=json)
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise RasaControlError(f"{method} {path}: {error}") from error


def _path(conversation_id: str) -> str:
    return f"/conversations/{quote(conversation_id, safe='')}"
