"""Sealed slot values: personal numbers the action server keeps in the conversation, encrypted.

A form that collects ID numbers needs them again several turns later (the booking is made at
confirmation), but Rasa's tracker store must not keep raw ID numbers. The action server therefore
puts `seal(number)` into the slot: an authenticated ciphertext (Fernet) under a key that only the
action server holds. Rasa stores the ciphertext; the raw number the citizen typed is masked in the
stored events by the tracker store (bot_plugins). `unseal` turns the slot back into the number.

The key comes from `SLOT_SEALING_KEY` (required in the production profile); the embedded profile
creates one under `var/` on first use, so a restarted action server still reads its slots.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from core.settings import PROJECT_ROOT, get_settings

SEALED_PREFIX = "sealed:v1:"
EMBEDDED_KEY_FILE = PROJECT_ROOT / "var" / "slot_sealing.key"


def _embedded_key(path: Path) -> bytes:
    """The key file of the embedded profile, created once (atomically, owner-only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(descriptor, "wb") as key_file:
        key = Fernet.generate_key()
        key_file.write(key)
    return key


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    configured = get_settings().slot_sealing_key.strip()
    return Fernet(configured.encode() if configured else _embedded_key(EMBEDDED_KEY_FILE))


def seal(value: str) -> str:
    """`value` encrypted for a slot (not readable, not an ID-number-like digit run)."""
    return SEALED_PREFIX + _fernet().encrypt(value.encode()).decode()


def unseal(value: object) -> str | None:
    """The plain value of a slot: sealed values decrypted, plain strings as they are.

    Returns:
        None for an empty slot, or for a sealed value this key cannot open (a rotated key):
        the form then asks for the number again.
    """
    if not isinstance(value, str) or not value:
        return None
    if not value.startswith(SEALED_PREFIX):
        return value
    try:
        return _fernet().decrypt(value.removeprefix(SEALED_PREFIX).encode()).decode()
    except InvalidToken:
        return None
