"""Small in-process caches with expiry (the embedded profile needs no Redis).

`SeenStore` is the seam for a shared store later (Redis `SET key 1 NX EX ttl`, or a database
table with a unique key) when several web processes answer the same official account.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")

Clock = Callable[[], float]


class SeenStore(Protocol):
    """Remembers keys for a while; answers whether a key is new."""

    def add_if_new(self, key: str) -> bool:
        """Remember `key`; False when it was already remembered (and not expired)."""


class TtlCache(Generic[V]):
    """A dict whose entries expire `ttl_seconds` after they were set; at most `max_items`.

    Args:
        ttl_seconds: Lifetime of an entry.
        max_items: The oldest entries are dropped beyond this.
        clock: Monotonic seconds (tests pass a fake clock).
    """

    def __init__(
        self, *, ttl_seconds: float, max_items: int = 100_000, clock: Clock = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._max_items = max_items
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def _purge(self) -> None:
        now = self._clock()
        while self._items:
            key, (expires, _) = next(iter(self._items.items()))
            if expires > now and len(self._items) <= self._max_items:
                break
            del self._items[key]

    def get(self, key: str) -> V | None:
        """The value of `key`, or None when absent or expired."""
        self._purge()
        entry = self._items.get(key)
        return entry[1] if entry is not None else None

    def set(self, key: str, value: V) -> None:
        """Set `key` (its lifetime starts now)."""
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self._ttl, value)
        self._purge()

    def pop(self, key: str) -> V | None:
        """Remove `key` and return its value."""
        entry = self._items.pop(key, None)
        return entry[1] if entry is not None else None

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None


class SeenKeys:
    """The in-process `SeenStore`.

    Args:
        ttl_seconds: How long a key is remembered.
        clock: Monotonic seconds.
    """

    def __init__(self, *, ttl_seconds: float, clock: Clock = time.monotonic) -> None:
        self._cache: TtlCache[bool] = TtlCache(ttl_seconds=ttl_seconds, clock=clock)

    def add_if_new(self, key: str) -> bool:
        """Remember `key`; False when it was already remembered."""
        if key in self._cache:
            return False
        self._cache.set(key, True)
        return True
