"""Masking of identity and mobile numbers in tracker events (no third-party package).

Shared by the scrubbing tracker store (Rasa's Python 3.10) and its tests (the app's Python). The
written forms come from `zhtext.personal_forms`, the definition the assistant's own parsers use:
every ID form they accept (spaces, dashes, dots, "_", "·", full-width digits) and every mobile
form (+86, separators, full-width or Chinese digits) is masked. Sealed slot values
(core/sealing.py) are ciphertext and stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

from zhtext.personal_forms import ID_LIKE, MOBILE_LIKE, digit_value

SEALED_PREFIX = "sealed:v1:"


def _digits(match: re.Match[str]) -> str:
    return "".join(digit_value(c) for c in match.group(0) if digit_value(c).isalnum())


def _mask_id(match: re.Match[str]) -> str:
    number = _digits(match)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def _mask_mobile(match: re.Match[str]) -> str:
    number = _digits(match)[-11:]
    return number[:3] + "****" + number[-4:]


def mask_id_like(text: str) -> str:
    """`text` with identity numbers as "3301**********1234" and mobiles as "138****5678"."""
    if text.startswith(SEALED_PREFIX):
        return text
    return MOBILE_LIKE.sub(_mask_mobile, ID_LIKE.sub(_mask_id, text))


def scrub(value: Any) -> Any:
    """A copy of `value` (JSON-like data) with every string masked; the input is not changed."""
    if isinstance(value, str):
        return mask_id_like(value)
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value
