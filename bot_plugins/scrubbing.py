"""Masking of identity-number-like digit runs in tracker events (standard library only).

Shared by the scrubbing tracker store (Rasa's Python 3.10) and its tests (the app's Python).
"""

from __future__ import annotations

import re
from typing import Any

# 15-18 character identity numbers (a mistyped one is still personal data) and longer digit runs
# such as bank cards; full-width digits and spaces or dashes inside the number are covered too.
ID_LIKE = re.compile(
    r"(?<![0-9A-Za-z０-９])[0-9０-９](?:[\s\-]?[0-9０-９]){13,17}(?:[\s\-]?[0-9０-９XxＸｘ])?(?![0-9A-Za-z０-９])"
)
_DIGITS = re.compile(r"[\s\-]")


def mask_id_like(text: str) -> str:
    """`text` with every identity-number-like run replaced by "3301**********1234"."""

    def mask(match: re.Match[str]) -> str:
        number = _DIGITS.sub("", match.group(0))
        return number[:4] + "*" * (len(number) - 8) + number[-4:]

    return ID_LIKE.sub(mask, text)


def scrub(value: Any) -> Any:
    """A copy of `value` (JSON-like data) with every string masked; the input is not changed."""
    if isinstance(value, str):
        return mask_id_like(value)
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value
