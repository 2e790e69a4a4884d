"""Spreads requests over several Rasa replicas (production profile), skipping those that are down.

Every replica shares the PostgreSQL tracker store and the Redis lock store, so any replica may
serve any sender: requests go round-robin over the healthy replicas. A replica is marked down
when a request to it fails with a connection error, or when the background check (`GET /status` on
every replica every few seconds) fails several times in a row: a replica busy with a burst of
messages answers its status page late, and taking it out of rotation for that would turn a slow
answer into a refusal. A 5xx answer does not mark it down either (Rasa answers 500 when an
action fails; the replica itself is alive). When every replica is marked down, all are tried
anyway: a dead one refuses the connection at once, and a merely slow one still answers.

A failed request is retried once on another replica only when it certainly never reached Rasa
(connection refused, connect timeout): a message that Rasa may have processed is never sent twice.

With a single replica (the embedded profile) nothing is ever marked down and no check runs: the
behaviour is that of a plain HTTP client.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Sequence
from typing import Any

import httpx

from core.settings import Settings, get_settings

logger = logging.getLogger(__name__)

HEALTH_INTERVAL_SECONDS = 3.0
# Rasa answers `GET /` as soon as it listens, minutes before its model is loaded; `GET /status`
# (enabled by --enable-api) answers 200 only with a loaded model, 409 before.
STATUS_PATH = "/status"
HEALTH_TIMEOUT_SECONDS = 5.0
# Failed background checks in a row before a replica that still accepts connections is taken out.
DOWN_AFTER_FAILED_CHECKS = 3
# An idle connection to a replica is dropped here before Rasa's server (Sanic, keep-alive 5 s)
# closes it: with both at 5 s (httpx's default), a message sent on it just as Rasa closes it
# fails with "Server disconnected" (a 503 for the citizen, and a healthy replica marked down).
KEEPALIVE_SECONDS = 2.0
# Errors raised before a single byte of the request left: safe to send again elsewhere.
NOT_SENT_ERRORS: tuple[type[httpx.HTTPError], ...] = (httpx.ConnectError, httpx.ConnectTimeout)
# Errors after which the replica is considered down (besides a 5xx answer). A read timeout is
# not one of them: a slow replica is still alive.
DOWN_ERRORS: tuple[type[httpx.HTTPError], ...] = (
    *NOT_SENT_ERRORS,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.PoolTimeout,
)


def replica_urls(settings: Settings) -> list[str]:
    """The Rasa replicas of `settings`: `RASA_URLS` (comma-separated), else `RASA_URL`."""
    urls = [url.strip().rstrip("/") for url in settings.rasa_urls.split(",") if url.strip()]
    return urls or [settings.rasa_url.rstrip("/")]


class RasaPool:
    """HTTP access to one or more Rasa replicas with failover.

    Args:
        urls: Base URLs of the replicas (at least one).
        timeout: Default seconds to wait for one answer.
        transport: Optional transport, for tests.
        health_interval: Seconds between two background checks of every replica.
        max_attempts: Replicas tried for one request that never reached Rasa (1 = no retry).
        auth_token: Rasa's API token (`rasa run --auth-token`), sent as `?token=` on every
            call; None: `RASA_TOKEN` from the settings.
    """

    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        health_interval: float = HEALTH_INTERVAL_SECONDS,
        max_attempts: int = 2,
        auth_token: str | None = None,
    ) -> None:
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        self.urls = [url.rstrip("/") for url in urls]
        self._down: set[str] = set()
        self._failed_checks: dict[str, int] = {}
        self._turn = itertools.count()
        self._health_interval = health_interval
        self._max_attempts = max_attempts
        self._health_task: asyncio.Task[None] | None = None
        token = get_settings().rasa_token if auth_token is None else auth_token
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            params={"token": token} if token else None,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
        )

    @property
    def failover(self) -> bool:
        """True with several replicas: only then are replicas marked down and checked."""
        return len(self.urls) > 1

    def healthy_urls(self) -> list[str]:
        """The replicas not marked down, in configuration order."""
        return [url for url in self.urls if url not in self._down]

    def mark_down(self, url: str) -> None:
        """Take `url` out of rotation until a health check passes."""
        if self.failover and url not in self._down:
            logger.warning("Rasa replica %s marked down", url)
            self._down.add(url)

    def mark_up(self, url: str) -> None:
        """Put `url` back into rotation."""
        if url in self._down:
            logger.warning("Rasa replica %s is back", url)
            self._down.discard(url)

    def candidates(self) -> list[str]:
        """Replicas in the order to try them: the healthy ones, the next in turn first.

        With every replica marked down, all of them: the marks may be stale (a replica came back
        since the last check), and a replica that is really down refuses the connection at once.
        """
        healthy = self.healthy_urls() or list(self.urls)
        start = next(self._turn) % len(healthy)
        return healthy[start:] + healthy[:start]

    async def request(
        self, method: str, path: str, *, json: Any = None, timeout: float | None = None
    ) -> httpx.Response:
        """Send one request to a healthy replica and return its (non-5xx) answer.

        Raises:
            httpx.HTTPError: The request failed on the replicas tried, or the replica answered
                5xx (`httpx.HTTPStatusError`).
        """
        self.ensure_health_checks()
        candidates = self.candidates()
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        for attempt, url in enumerate(candidates[: self._max_attempts], start=1):
            try:
                response = await self._http.request(method, url + path, json=json, **extra)
            except DOWN_ERRORS as error:
                self.mark_down(url)
                last_try = attempt == self._max_attempts or attempt == len(candidates)
                if isinstance(error, NOT_SENT_ERRORS) and not last_try:
                    logger.warning("Rasa replica %s unreachable, trying the next one", url)
                    continue
                raise
            return response.raise_for_status()
        raise AssertionError("unreachable: the loop returns or raises")

    async def any_available(self) -> bool:
        """True when at least one replica answers its status page now."""
        for url in self.urls:
            if await self.check(url):
                return True
        return False

    async def check(self, url: str) -> bool:
        """Check one replica (`GET /status` is 200 once its model is loaded); update its state."""
        refused = False
        try:
            response = await self._http.get(url + STATUS_PATH, timeout=HEALTH_TIMEOUT_SECONDS)
            ok = response.status_code == httpx.codes.OK
        except httpx.HTTPError as error:
            ok = False
            refused = isinstance(error, httpx.ConnectError)
        if ok:
            self._failed_checks.pop(url, None)
            self.mark_up(url)
            return True
        failures = self._failed_checks[url] = self._failed_checks.get(url, 0) + 1
        if refused or failures >= DOWN_AFTER_FAILED_CHECKS:
            self.mark_down(url)
        return False

    def ensure_health_checks(self) -> None:
        """Start the background checks (with several replicas) in the running event loop."""
        if not self.failover or (self._health_task and not self._health_task.done()):
            return
        self._health_task = asyncio.get_running_loop().create_task(
            self._check_forever(), name="rasa-health-checks"
        )

    async def _check_forever(self) -> None:
        while True:
            await asyncio.gather(*(self.check(url) for url in self.urls))
            await asyncio.sleep(self._health_interval)

    async def aclose(self) -> None:
        """Stop the checks and close the connections."""
        if self._health_task is not None:
            self._health_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._health_task
            self._health_task = None
        await self._http.aclose()
