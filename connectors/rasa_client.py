"""Talks to Rasa's REST channel and checks that Rasa and the action server are up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import BaseModel, Field, ValidationError

from connectors.rasa_pool import RasaPool


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


class AssistantUnavailableError(Exception):
    """Rasa (or the action server behind it) cannot answer right now."""


class RasaClient:
    """Async client of the REST channel of one Rasa server or of several replicas.

    Args:
        rasa_url: Base URL of the Rasa server (used when `rasa_urls` is empty).
        action_server_url: Base URL of the action server (checked when Rasa answers nothing).
        timeout: Seconds to wait for one reply.
        transport: Optional transport, for tests.
        rasa_urls: Base URLs of several Rasa replicas sharing their stores (production
            profile); requests are spread over the healthy ones (`connectors.rasa_pool`).
    """

    def __init__(
        self,
        *,
        rasa_url: str,
        action_server_url: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        rasa_urls: Sequence[str] = (),
    ) -> None:
        self._pool = RasaPool(list(rasa_urls) or [rasa_url], timeout=timeout, transport=transport)
        self._action_server_url = action_server_url.rstrip("/")
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    @property
    def pool(self) -> RasaPool:
        """The Rasa replicas this client talks to."""
        return self._pool

    async def aclose(self) -> None:
        """Close the underlying connections."""
        await self._pool.aclose()
        await self._http.aclose()

    async def send(
        self, *, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[BotMessage]:
        """Send one user message and return the bot's replies.

        Raises:
            AssistantUnavailableError: Rasa is down or failing, or it answered nothing because
                the action server is down.
        """
        body: dict[str, Any] = {"sender": sender_id, "message": text}
        if metadata:
            body["metadata"] = metadata
        try:
            response = await self._pool.request("POST", "/webhooks/rest/webhook", json=body)
            raw = response.json()
            messages = [BotMessage.model_validate(item) for item in raw]
        except (httpx.HTTPError, ValueError, ValidationError) as error:
            raise AssistantUnavailableError(str(error)) from error
        if not messages and not await self.action_server_available():
            raise AssistantUnavailableError("action server is down")
        return messages

    async def rasa_available(self) -> bool:
        """True when Rasa (at least one replica) answers its status page."""
        return await self._pool.any_available()

    async def action_server_available(self) -> bool:
        """True when the action server's health check answers."""
        return await self._ok(f"{self._action_server_url}/health")

    async def _ok(self, url: str) -> bool:
        try:
            response = await self._http.get(url, timeout=3.0)
        except httpx.HTTPError:
            return False
        return response.status_code == httpx.codes.OK
