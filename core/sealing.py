"""Sealed slot values: personal numbers the action server keeps in the conversation, encrypted.

A form that collects ID numbers needs them again several turns later (the booking is made at
confirmation), but Rasa's tracker store must not keep raw ID numbers. The action server therefore
puts `seal(number)` into the slot: an authenticated ciphertext (Fernet) under a key that only the
action server holds. Rasa stores the ciphertext; the raw number the citizen typed is masked in the
stored events by the tracker store (bot_plugins). `unseal` turns the slot back into the number.

The key comes from `SLOT_SEALING_KEY` (required in the production profile); the embedded profile
falls back on the installation's random key (core/local_secrets.py, outside the repository), so a
restarted action server still reads its slots.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from core.local_secrets import local_secret
from core.settings import get_settings

SEALED_PREFIX = "sealed:v1:"


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    configured = get_settings().slot_sealing_key.strip()
    return Fernet((configured or local_secret("SLOT_SEALING_KEY")).encode())


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
