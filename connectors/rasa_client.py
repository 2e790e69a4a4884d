"""Talks to Rasa's REST channel and checks that Rasa and the action server are up."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import ValidationError

from connectors.action_server_watch import ActionServerWatch
from core.chat import BotMessage
from core.rasa_pool import RasaPool

logger = logging.getLogger(__name__)


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
            profile); requests are spread over the healthy ones (`core.rasa_pool`).
        watch_action_server: Check the action server in the background and refuse messages
            while it is down (`connectors.action_server_watch`); the gateways turn this on.
    """

    def __init__(
        self,
        *,
        rasa_url: str,
        action_server_url: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        rasa_urls: Sequence[str] = (),
        watch_action_server: bool = False,
    ) -> None:
        self._pool = RasaPool(list(rasa_urls) or [rasa_url], timeout=timeout, transport=transport)
        self._action_server_url = action_server_url.rstrip("/")
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._watch = (
            ActionServerWatch(f"{self._action_server_url}/health", self._http)
            if watch_action_server
            else None
        )

    @property
    def pool(self) -> RasaPool:
        """The Rasa replicas this client talks to."""
        return self._pool

    async def aclose(self) -> None:
        """Stop the checks and close the underlying connections."""
        if self._watch is not None:
            await self._watch.aclose()
        await self._pool.aclose()
        await self._http.aclose()

    async def send(
        self, *, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[BotMessage]:
        """Send one user message and return the bot's replies.

        Raises:
            AssistantUnavailableError: Rasa is down or failing, the action server is known to
                be down (the message is then not sent), or Rasa answered nothing because the
                action server is down.
        """
        if self._watch is not None:
            self._watch.ensure_started()
            if self._watch.down:
                raise AssistantUnavailableError("action server is down")
        body: dict[str, Any] = {"sender": sender_id, "message": text}
        if metadata:
            body["metadata"] = metadata
        try:
            response = await self._pool.request("POST", "/webhooks/rest/webhook", json=body)
            raw = response.json()
            messages = [BotMessage.model_validate(item) for item in raw]
        except (httpx.HTTPError, ValueError, ValidationError) as error:
            logger.warning("Rasa gave no usable answer: %s: %s", type(error).__name__, error)
            raise AssistantUnavailableError(str(error)) from error
        if not messages and not await self.action_server_available():
            logger.warning("Rasa answered nothing and the action server is down")
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
