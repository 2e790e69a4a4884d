"""Attempt limit for citizens' record look-ups (reference or ID number + a second factor).

A look-up that finds nothing counts as a failure against each of its keys (the reference, the
phone, the ID number). After `MAX_FAILED_LOOKUPS` failures of one key within `WINDOW_SECONDS`
every look-up with that key is refused with 429 for the rest of the window, whether or not the
second factor is right: guessing a phone for a known reference (or the reverse) stops there.

Keys are kept as SHA-256 digests. The counts live in this process, or in Redis (`REDIS_URL`) so
that every web worker shares them; when Redis cannot be reached the look-up is allowed (logged).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

from redis import Redis
from redis.exceptions import RedisError

from core.errors import ApiError
from core.messages import message
from core.settings import get_settings

logger = logging.getLogger(__name__)

MAX_FAILED_LOOKUPS = 5
WINDOW_SECONDS = 3600.0

Found = TypeVar("Found")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class LookupGuard:
    """Counts failed look-ups per key in a sliding window.

    Args:
        redis: A Redis client to share the counts (None: this process only).
        prefix: Prefix of the Redis keys.
        max_failures: Failures of one key that block it.
        window_seconds: Length of the window.
        clock: Seconds (tests pass a fake clock).
    """

    def __init__(
        self,
        *,
        redis: Redis | None = None,
        prefix: str = "minzheng:lookup:",
        max_failures: int = MAX_FAILED_LOOKUPS,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._max = max_failures
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        """True when any of `keys` has reached the failure limit in the window."""
        return any(len(times) >= self._max for times in self.failure_times(*keys))

    def failure_times(self, *keys: str) -> list[list[float]]:
        """For each of `keys`, the times of its failures in the window (oldest first)."""
        now = self._clock()
        digests = [_digest(key) for key in keys]
        if self._redis is not None:
            return self._redis_times(digests, now)
        with self._lock:
            return [list(self._recent(digest, now)) for digest in digests]

    def clear(self, *keys: str) -> None:
        """Forget the failures of `keys` (a login that succeeded)."""
        digests = [_digest(key) for key in keys]
        if self._redis is not None:
            try:
                self._redis.delete(*(self._prefix + digest for digest in digests))
            except (RedisError, OSError) as error:
                logger.warning("look-up guard: Redis unavailable, failures kept: %s", error)
            return
        with self._lock:
            for digest in digests:
                self._failures.pop(digest, None)

    def record_failure(self, *keys: str) -> None:
        """Count one failed look-up against each of `keys`."""
        now = self._clock()
        digests = [_digest(key) for key in keys]
        if self._redis is not None:
            self._redis_record(digests, now)
            return
        with self._lock:
            for digest in digests:
                self._recent(digest, now).append(now)

    def _recent(self, digest: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(digest, deque())
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        return failures

    def _redis_times(self, digests: list[str], now: float) -> list[list[float]]:
        assert self._redis is not None
        try:
            pipe = self._redis.pipeline()
            for digest in digests:
                pipe.zremrangebyscore(self._prefix + digest, "-inf", now - self._window)
                pipe.zrange(self._prefix + digest, 0, -1, withscores=True)
            ranges = pipe.execute()[1::2]
        except (RedisError, OSError) as error:
            logger.warning("look-up guard: Redis unavailable, allowing the look-up: %s", error)
            return [[] for _ in digests]
        return [[float(score) for _member, score in members] for members in ranges]

    def _redis_record(self, digests: list[str], now: float) -> None:
        assert self._redis is not None
        try:
            pipe = self._redis.pipeline()
            for digest in digests:
                pipe.zadd(self._prefix + digest, {uuid.uuid4().hex: now})
                pipe.expire(self._prefix + digest, int(self._window) + 1)
            pipe.execute()
        except (RedisError, OSError) as error:
            logger.warning("look-up guard: Redis unavailable, failure not counted: %s", error)


@lru_cache(maxsize=1)
def get_lookup_guard() -> LookupGuard:
    """The guard of this process (Redis-backed when `REDIS_URL` is set)."""
    settings = get_settings()
    if not settings.redis_url:
        return LookupGuard()
    client = Redis.from_url(settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
    return LookupGuard(redis=client, prefix=f"{settings.redis_key_prefix}:lookup:")


def too_many_attempts() -> ApiError:
    """429 with the Chinese explanation (the action server shows it to the citizen)."""
    return ApiError(429, "too_many_attempts", message("too_many_attempts"))


def guarded_lookup(
    keys: Sequence[str],
    attempt: Callable[[], Found],
    *,
    is_miss: Callable[[ApiError], bool],
) -> Found:
    """Run a citizen's look-up under the attempt limit of `keys`.

    Blocked keys answer 429 without looking. An `ApiError` raised by `attempt` goes on to the
    caller; it counts as a failed attempt when `is_miss(error)` (nothing found for that
    reference and second factor), not when the record was found but the action is refused.

    Raises:
        ApiError: 429 `too_many_attempts` for a blocked key, or the refusal of `attempt`.
    """
    guard = get_lookup_guard()
    if guard.blocked(*keys):
        raise too_many_attempts()
    try:
        return attempt()
    except ApiError as error:
        if is_miss(error):
            guard.record_failure(*keys)
        raise
