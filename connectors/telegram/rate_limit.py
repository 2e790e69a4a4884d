"""Per-chat token buckets: a burst of messages is fine, a flood gets one polite notice."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_TRACKED_CHATS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float
    told: bool = False


@dataclass(frozen=True)
class Decision:
    """Whether a message may pass, and whether to tell the citizen it did not."""

    allowed: bool
    notify: bool = False


class ChatRateLimiter:
    """A token bucket per chat (in this process).

    Args:
        burst: Messages a chat may send at once.
        per_minute: Tokens refilled per minute.
        clock: Monotonic seconds (tests pass a fake clock).
    """

    def __init__(
        self, *, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._capacity = float(max(burst, 1))
        self._rate = max(per_minute, 0.0) / 60.0
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, chat_id: str) -> Decision:
        """Take a token for `chat_id`; the first refusal of a flood asks for a notice."""
        now = self._clock()
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = _Bucket(tokens=self._capacity, updated=now)
            self._buckets[chat_id] = bucket
        self._buckets.move_to_end(chat_id)
        while len(self._buckets) > MAX_TRACKED_CHATS:
            self._buckets.popitem(last=False)
        bucket.tokens = min(self._capacity, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.told = False
            return Decision(allowed=True)
        notify = not bucket.told
        bucket.told = True
        return Decision(allowed=False, notify=notify)
