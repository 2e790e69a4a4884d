"""The numbered choices last shown to each citizen, so that a reply of "2" picks the second."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence

from connectors.wechat.rendering import Choice
from connectors.wechat.ttl_cache import Clock, TtlCache
from zhtext.normalise import normalise

CHOICES_TTL_SECONDS = 30 * 60
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.。、)）]?\s*$")


class ChoiceMemory:
    """Per OpenID, the choices of the latest reply (forgotten after `ttl_seconds`).

    Args:
        ttl_seconds: How long a list of choices can be answered by number.
        clock: Monotonic seconds.
    """

    def __init__(
        self, *, ttl_seconds: float = CHOICES_TTL_SECONDS, clock: Clock = time.monotonic
    ) -> None:
        self._cache: TtlCache[tuple[Choice, ...]] = TtlCache(ttl_seconds=ttl_seconds, clock=clock)

    def remember(self, open_id: str, choices: Sequence[Choice]) -> None:
        """The reply just shown offers `choices` (none: earlier numbers no longer apply)."""
        if choices:
            self._cache.set(open_id, tuple(choices))
        else:
            self._cache.pop(open_id)

    def pick(self, open_id: str, text: str) -> Choice | None:
        """The choice `text` selects ("2", "２", "2." …), or None when it is not a choice number."""
        # The router's normalisation first (invisible characters, widths), as for every message.
        cleaned = normalise(text, max_chars=max(len(text), 1)).text
        match = _NUMBER.match(unicodedata.normalize("NFKC", cleaned))
        choices = self._cache.get(open_id)
        if match is None or not choices:
            return None
        number = int(match.group(1))
        return choices[number - 1] if 1 <= number <= len(choices) else None
