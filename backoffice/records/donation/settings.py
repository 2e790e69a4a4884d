"""Settings of the donation back office: the payment side's shared secret.

`DONATION_PAYMENT_SECRET` (environment or `.env`) signs payment confirmations (HMAC-SHA256).
A missing, short or placeholder secret disables the confirmation endpoint (503) instead of
accepting requests signed with a value anyone could guess.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.settings import PROJECT_ROOT

MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10
_PLACEHOLDER_MARKERS = (
    "change",
    "placeholder",
    "example",
    "replace",
    "your-secret",
    "your_secret",
    "yoursecret",
    "dummy",
    "todo",
)


class DonationSettings(BaseSettings):
    """Environment variables with the `DONATION_` prefix (listed in `.env.example`)."""

    model_config = SettingsConfigDict(
        env_prefix="DONATION_", env_file=PROJECT_ROOT / ".env", extra="ignore"
    )

    payment_secret: SecretStr | None = None
    signature_tolerance_seconds: int = 300


def usable_secret(secret: SecretStr | None) -> bytes | None:
    """The secret as bytes when it is long and random-looking enough, else None."""
    if secret is None:
        return None
    value = secret.get_secret_value().strip()
    lowered = value.lower()
    if len(value) < MIN_SECRET_LENGTH or len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return None
    if any(marker in lowered for marker in _PLACEHOLDER_MARKERS):
        return None
    return value.encode("utf-8")


@lru_cache(maxsize=1)
def get_donation_settings() -> DonationSettings:
    """The donation settings of this process (read once)."""
    return DonationSettings()
