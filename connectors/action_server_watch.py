"""Keeps an eye on the action server so that no message is sent to Rasa while it is down.

When the action server is down, Rasa still answers: it utters what it can by itself (a form's
opening line, say), logs the failed custom action and returns 200 with that partial reply. The
citizen would then read "好的，我们来预约……" and nothing more, with the message half handled. The
gateway therefore checks the action server's `/health` in the background every few seconds and
refuses messages (503, with the hotline) while it is down, the way it does when Rasa is down.

A refused connection marks it down at once (the process is gone); slow or failing checks only
after several in a row (a busy action server is still alive). The first passing check brings it
back. Until the first check has finished, the action server counts as up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

logger = logging.getLogger(__name__)

CHECK_INTERVAL_SECONDS = 2.0
CHECK_TIMEOUT_SECONDS = 3.0
DOWN_AFTER_FAILED_CHECKS = 3


class ActionServerWatch:
    """Background health checks of the action server.

    Args:
        health_url: The action server's health URL (`…/health`).
        http: The client to check with (shared with the caller; not closed here).
        interval: Seconds between two checks.
    """

    def __init__(
        self, health_url: str, http: httpx.AsyncClient, *, interval: float = CHECK_INTERVAL_SECONDS
    ) -> None:
        self._health_url = health_url
        self._http = http
        self._interval = interval
        self._failed_checks = 0
        self._down = False
        self._task: asyncio.Task[None] | None = None

    @property
    def down(self) -> bool:
        """True while the last checks say the action server cannot run actions."""
        return self._down

    async def check(self) -> bool:
        """Check once and update the state; True when the action server answered 200."""
        refused = False
        try:
            response = await self._http.get(self._health_url, timeout=CHECK_TIMEOUT_SECONDS)
            ok = response.status_code == httpx.codes.OK
        except httpx.HTTPError as error:
            ok = False
            refused = isinstance(error, httpx.ConnectError)
        if ok:
            if self._down:
                logger.warning("Action server is back")
            self._failed_checks = 0
            self._down = False
            return True
        self._failed_checks += 1
        if (refused or self._failed_checks >= DOWN_AFTER_FAILED_CHECKS) and not self._down:
            logger.warning("Action server is down; messages are refused until it is back")
            self._down = True
        return False

    def ensure_started(self) -> None:
        """Start the background checks in the running event loop (once)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._check_forever(), name="action-server-watch"
            )

    async def _check_forever(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self._interval)

    async def aclose(self) -> None:
        """Stop the background checks."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
