"""Settings of the staff console: session cookie and the dev staff seed (`HANDOFF_*` variables)."""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from core.settings import PROJECT_ROOT, get_settings

SECRET_FILE = PROJECT_ROOT / "var" / "staff_session_secret"


class HandoffSettings(BaseSettings):
    """`HANDOFF_SESSION_SECRET`, `HANDOFF_COOKIE_SECURE`, `HANDOFF_SESSION_HOURS`, ….

    Attributes:
        session_secret: Signs the staff session cookie. Required in the production profile;
            the embedded profile keeps a random one in `var/staff_session_secret`.
        cookie_secure: Send the cookie over HTTPS only (set true behind TLS).
        session_hours: How long a login lasts.
        seed_staff_file: Sample staff accounts with dev passwords (embedded profile only).
    """

    model_config = SettingsConfigDict(
        env_prefix="HANDOFF_", env_file=PROJECT_ROOT / ".env", extra="ignore"
    )

    session_secret: str = ""
    cookie_secure: bool = False
    session_hours: int = 8
    seed_staff_file: Path = Path(__file__).with_name("seed_staff.yml")


@lru_cache(maxsize=1)
def get_handoff_settings() -> HandoffSettings:
    """The console settings of this process (read once)."""
    return HandoffSettings()


def session_secret(settings: HandoffSettings) -> str:
    """The cookie-signing secret (a kept random one in the embedded profile).

    Raises:
        RuntimeError: The production profile has no `HANDOFF_SESSION_SECRET`.
    """
    if settings.session_secret:
        return settings.session_secret
    if get_settings().profile == "production":
        raise RuntimeError("HANDOFF_SESSION_SECRET must be set in the production profile")
    SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    if not SECRET_FILE.exists():
        # Written aside, then linked into place: concurrent processes agree on one secret.
        draft = SECRET_FILE.with_name(f"{SECRET_FILE.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        draft.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(draft, SECRET_FILE)
        draft.unlink()
    return SECRET_FILE.read_text(encoding="utf-8").strip()
