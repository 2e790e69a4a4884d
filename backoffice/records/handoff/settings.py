"""Settings of the staff console: session cookie and the dev staff seed (`HANDOFF_*` variables)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from core.local_secrets import local_secret
from core.settings import PROJECT_ROOT, get_settings


class HandoffSettings(BaseSettings):
    """`HANDOFF_SESSION_SECRET`, `HANDOFF_COOKIE_SECURE`, `HANDOFF_SESSION_HOURS`, ….

    Attributes:
        session_secret: Signs the staff session cookie. Required in the production profile;
            the embedded profile falls back on the installation's random one
            (core/local_secrets.py, outside the repository).
        cookie_secure: Send the cookie over HTTPS only (set true behind TLS).
        session_hours: How long a login lasts.
        seed_staff_file: Sample staff accounts with dev passwords (embedded profile only).
        duty_only: No office hours: staff take conversations only while someone has switched on
            duty in the console (a desk without fixed hours; the end-to-end tests use it so
            that the hour of the run does not decide what a script sees).
    """

    model_config = SettingsConfigDict(
        env_prefix="HANDOFF_", env_file=PROJECT_ROOT / ".env", extra="ignore"
    )

    session_secret: str = ""
    cookie_secure: bool = False
    session_hours: int = 8
    seed_staff_file: Path = Path(__file__).with_name("seed_staff.yml")
    duty_only: bool = False


@lru_cache(maxsize=1)
def get_handoff_settings() -> HandoffSettings:
    """The console settings of this process (read once)."""
    return HandoffSettings()


def session_secret(settings: HandoffSettings) -> str:
    """The cookie-signing secret (the installation's random one in the embedded profile).

    Raises:
        RuntimeError: The production profile has no `HANDOFF_SESSION_SECRET`.
    """
    if settings.session_secret:
        return settings.session_secret
    if get_settings().profile == "production":
        raise RuntimeError("HANDOFF_SESSION_SECRET must be set in the production profile")
    return local_secret("HANDOFF_SESSION_SECRET")
