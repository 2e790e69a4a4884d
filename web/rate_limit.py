"""Rate limits for citizens' chat messages: per sender and per client IP, in a 60-second window.

`SlidingWindowLimiter` keeps the window in this process (the embedded profile: one web worker).
`RedisWindowLimiter` keeps it in Redis (`REDIS_URL`), so several web workers share one count.
Both are sliding-window logs: a key may make `limit` calls in any 60 seconds; a refused call does
not count. When Redis cannot be reached the call is let through (and logged): an outage of the
limiter must not silence the assistant.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000

# KEYS[1] window key; ARGV: now (s), window (s), limit, member. Returns 1 allowed, 0 refused.
_SLIDING_WINDOW_SCRIPT = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return 1
"""


class Limiter(Protocol):
    """Decides whether one more call of `key` fits into the window."""

    async def allow(self, key: str, limit: int) -> bool:
        """True (and the call is counted) when `key` made fewer than `limit` calls in the window."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class SlidingWindowLimiter:
    """In-process sliding-window log.

    Args:
        window_seconds: Length of the window.
        clock: Monotonic seconds (tests pass a fake clock).
    """

    def __init__(
        self, *, window_seconds: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._window = window_seconds
        self._clock = clock
        self._calls: dict[str, deque[float]] = {}
        self._lock = asyncio.Lock()

    async def allow(self, key: str, limit: int) -> bool:
        """True (and counted) when `key` made fewer than `limit` calls in the window."""
        async with self._lock:
            now = self._clock()
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - self._window:
                calls.popleft()
            if len(calls) >= limit:
                return False
            calls.append(now)
            if len(self._calls) > MAX_KEYS:
                self._forget_idle(now)
            return True

    def _forget_idle(self, now: float) -> None:
        idle = [
            key
            for key, calls in self._calls.items()
            if not calls or calls[-1] <= now - self._window
        ]
        for key in idle:
            del self._calls[key]

    async def aclose(self) -> None:
        """Nothing to release."""


class RedisWindowLimiter:
    """Sliding-window log in Redis sorted sets, shared by every web worker.

    Args:
        redis: An asyncio Redis client.
        prefix: Prefix of the window keys.
        window_seconds: Length of the window.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "minzheng:ratelimit:",
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._window = window_seconds
        self._script = redis.register_script(_SLIDING_WINDOW_SCRIPT)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = "minzheng:ratelimit:",
        window_seconds: float = WINDOW_SECONDS,
    ) -> RedisWindowLimiter:
        """A limiter on the Redis at `url` (connects lazily, on the first call)."""
        client: Redis = Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        return cls(client, prefix=prefix, window_seconds=window_seconds)

    async def allow(self, key: str, limit: int) -> bool:
        """True (and counted) when `key` made fewer than `limit` calls in the window."""
        try:
            allowed = await self._script(
                keys=[self._prefix + key],
                args=[time.time(), self._window, limit, uuid.uuid4().hex],
            )
        except (RedisError, OSError) as error:
            logger.warning("rate limiter: Redis unavailable, letting the call through: %s", error)
            return True
        return bool(int(allowed))

    async def aclose(self) -> None:
        """Close the Redis connection pool."""
        await self._redis.aclose()


def build_limiter(redis_url: str, key_prefix: str = "minzheng") -> Limiter:
    """The Redis limiter (keys `<key_prefix>:ratelimit:…`) when `redis_url` is set, else local."""
    if redis_url:
        return RedisWindowLimiter.from_url(redis_url, prefix=f"{key_prefix}:ratelimit:")
    return SlidingWindowLimiter()
