"""Masks identity numbers before anything reaches a ticket (summary, transcript, notes)."""

from __future__ import annotations

import re
from typing import Any

from zhtext.idcard import mask_id_number, mask_name, mask_phone

# 15–18 characters that look like an identity number (also with a typo in the checksum: a
# mistyped number is still personal data). Longer digit runs (bank cards) are masked too.
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{14,18}[0-9Xx]?(?![0-9A-Za-z])")
_ID_SLOT_HINTS = ("id_number", "idcard", "id_card", "passport")
# Slots holding a person's name or phone: masked in the case summary ("张*", "138****5678").
_PERSON_NAME_SLOT_HINTS = ("donor_name", "visitor_name", "party1_name", "party2_name")
_PHONE_SLOT_HINTS = ("phone",)


def mask_text(text: str) -> str:
    """`text` with every identity-number-like digit run masked ("3301**********1234")."""
    return _ID_LIKE.sub(lambda match: mask_id_number(match.group(0)), text)


def mask_value(name: str, value: Any) -> Any:
    """A slot value fit for a case summary: ID numbers, phones and names masked."""
    if isinstance(value, str):
        lowered = name.lower()
        if any(hint in lowered for hint in _ID_SLOT_HINTS):
            return mask_id_number(value)
        if any(hint in lowered for hint in _PHONE_SLOT_HINTS) and any(c.isdigit() for c in value):
            return mask_phone(value)
        if any(hint in lowered for hint in _PERSON_NAME_SLOT_HINTS):
            return mask_name(value)
        return mask_text(value)
    if isinstance(value, list):
        return [mask_value(name, item) for item in value]
    if isinstance(value, dict):
        return {str(key): mask_value(str(key), item) for key, item in value.items()}
    return value


def mask_slots(slots: dict[str, Any]) -> dict[str, Any]:
    """Every slot value masked with `mask_value`."""
    return {name: mask_value(name, value) for name, value in slots.items()}
