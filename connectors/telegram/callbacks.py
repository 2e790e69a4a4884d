"""Button payloads ↔ Telegram callback data (at most 64 bytes).

A payload of up to 64 bytes is the callback data itself. A longer one (Rasa payloads with
entities, e.g. `/choose_facility{"facility_id": ...}`) is sent as `k:` + a 22-character key
derived from the payload (SHA-256, URL-safe base64) and stored in a `PayloadStore`: a small
in-process cache in front of the database (table `telegram_callback_payloads`), so a button
still works after a restart, in the other process (polling worker vs. web), and for
`ttl_days` days. Payloads that themselves start with `k:` always go through the store.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from typing import Protocol

CALLBACK_DATA_LIMIT = 64
KEY_PREFIX = "k:"
CACHE_SIZE = 2048


class PayloadStore(Protocol):
    """Where long payloads live (the database in production, a dict in tests)."""

    async def save(self, key: str, payload: str) -> None:
        """Store `payload` under `key` (idempotent)."""

    async def load(self, key: str) -> str | None:
        """The payload under `key`, or None when unknown or expired."""


class MemoryPayloadStore:
    """A `PayloadStore` in a dict (tests; a single process without a database)."""

    def __init__(self) -> None:
        self.saved: dict[str, str] = {}

    async def save(self, key: str, payload: str) -> None:
        """Store `payload` under `key`."""
        self.saved[key] = payload

    async def load(self, key: str) -> str | None:
        """The payload under `key`."""
        return self.saved.get(key)


def payload_key(payload: str) -> str:
    """The short callback data standing for a long payload."""
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return KEY_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")[:22]


class CallbackCodec:
    """Turns payloads into callback data and back.

    Args:
        store: Where long payloads are kept.
    """

    def __init__(self, store: PayloadStore) -> None:
        self._store = store
        self._cache: OrderedDict[str, str] = OrderedDict()

    async def encode(self, payload: str) -> str:
        """Callback data for `payload` (stores long ones)."""
        if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(
            KEY_PREFIX
        ):
            return payload
        key = payload_key(payload)
        if key not in self._cache:
            await self._store.save(key, payload)
        self._remember(key, payload)
        return key

    async def decode(self, data: str) -> str | None:
        """The payload of a pressed button, or None when its key is unknown or expired."""
        if not data.startswith(KEY_PREFIX):
            return data
        cached = self._cache.get(data)
        if cached is not None:
            return cached
        payload = await self._store.load(data)
        if payload is not None:
            self._remember(data, payload)
        return payload

    def _remember(self, key: str, payload: str) -> None:
        self._cache[key] = payload
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
