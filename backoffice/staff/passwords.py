"""bcrypt password hashes of the staff."""

from __future__ import annotations

from functools import lru_cache

import bcrypt

# bcrypt reads at most 72 bytes of a password.
MAX_PASSWORD_BYTES = 72


def hash_password(password: str) -> str:
    """A bcrypt hash of `password` (at most 72 bytes: bcrypt's limit)."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches the bcrypt hash."""
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode("ascii"))
    except ValueError:
        return False


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """The hash checked when the user name is unknown: a real one's cost, so both take as long."""
    return hash_password("not-a-password")
