"""In-process wake-ups for live streams (SSE): "something changed on topic X".

The database is the source of truth; a stream re-reads it when woken, and also every few seconds,
so several web processes (each with its own hub) still deliver everything, only a little later.
With Redis configured, `RedisEventHub` (redis_hub.py) wakes every web process at once.
Each topic counts its notifications, so a change that happens while a stream is busy reading is
not missed: the stream waits only if nothing happened since the version it read at.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict


class EventHub:
    """Topics ("queue", "conversation:<id>", "ticket:<id>") that streams wait on."""

    def __init__(self) -> None:
        self._versions: defaultdict[str, int] = defaultdict(int)
        self._waiters: defaultdict[str, set[asyncio.Event]] = defaultdict(set)

    def version(self, topic: str) -> int:
        """How many times `topic` was notified so far."""
        return self._versions.get(topic, 0)

    def notify(self, *topics: str) -> None:
        """Wake every stream waiting on one of `topics` (call from the event loop)."""
        for topic in topics:
            self._versions[topic] += 1
            for waiter in self._waiters.get(topic, ()):
                waiter.set()

    async def wait(self, topic: str, *, since: int, timeout: float) -> bool:
        """Wait until `topic` is notified after version `since`, or `timeout` seconds pass.

        Returns:
            True when notified (possibly before the call), False on timeout.
        """
        if self.version(topic) != since:
            return True
        waiter = asyncio.Event()
        self._waiters[topic].add(waiter)
        try:
            await asyncio.wait_for(waiter.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters[topic].discard(waiter)
            if not self._waiters[topic]:
                del self._waiters[topic]

    async def aclose(self) -> None:
        """Release what the hub holds (nothing in-process)."""
