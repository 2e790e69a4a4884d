"""Start-up check of the secrets in the production profile.

In `PROFILE=production` the web app and the action server refuse to start when a secret they
need is empty, a known placeholder, too short, or the same value as another role's secret.
Secrets come only from the environment (or `.env`); nothing here invents one.

Run `python -m backoffice.secrets` (exit status 1 on a problem) before starting the processes;
the web app runs the check in `create_app`, the action server when it first builds its
back-office connection.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from core.settings import Settings, get_settings

logger = logging.getLogger(__name__)

Role = Literal["web", "action server", "all"]
_LABELS: dict[str, str] = {
    "web": "web app",
    "action server": "action server",
    "all": "web app and action server",
}
MIN_SECRET_LENGTH = 32
# WeChat limits its Token to 3-32 characters; 16 random ones are the floor we accept.
MIN_WECHAT_TOKEN_LENGTH = 16
MIN_DISTINCT_CHARACTERS = 8
FERNET_KEY_BYTES = 32
# Placeholder words (lower case). Only words of five or more letters, so that a random value
# (`secrets.token_urlsafe(32)`, a Fernet key) practically never contains one by chance.
PLACEHOLDER_WORDS = (
    "change",
    "placeholder",
    "example",
    "replace",
    "secret",
    "password",
    "passwd",
    "dummy",
    "default",
    "qwerty",
    "123456",
)


@dataclass(frozen=True)
class NamedSecret:
    """One secret to check: its environment variable, value and minimum length."""

    variable: str
    value: str
    min_length: int = MIN_SECRET_LENGTH
    fernet_key: bool = False


class InsecureSecretsError(RuntimeError):
    """The production profile was started with missing, placeholder or shared secrets."""


def secret_problem(secret: NamedSecret) -> str | None:
    """Why `secret` is unfit for production (a short English phrase), or None when it is fine."""
    value = secret.value.strip()
    lowered = value.lower()
    if not value:
        return "is empty"
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return "looks like a placeholder"
    if len(value) < secret.min_length:
        return f"is shorter than {secret.min_length} characters"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return "has too few distinct characters"
    if secret.fernet_key and not _is_fernet_key(value):
        return "is not a Fernet key (32 url-safe base64 bytes; Fernet.generate_key())"
    return None


def _is_fernet_key(value: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(value.encode("ascii"))) == FERNET_KEY_BYTES
    except (ValueError, UnicodeEncodeError):
        return False


def required_secrets(settings: Settings, role: Role) -> list[NamedSecret]:
    """The secrets process `role` needs with the features `settings` enable ("all": both)."""
    found = [NamedSecret("SERVICE_TOKEN", settings.service_token)]
    if role in ("action server", "all"):
        found.append(NamedSecret("SLOT_SEALING_KEY", settings.slot_sealing_key, fernet_key=True))
        found.append(NamedSecret("ACTION_SERVER_TOKEN", settings.action_server_token))
    if role == "action server":
        return found
    found.append(NamedSecret("EDITOR_TOKEN", settings.editor_token))
    found.append(NamedSecret("RASA_TOKEN", settings.rasa_token))
    if settings.telegram_bot_token and settings.telegram_mode == "webhook":
        found.append(NamedSecret("TELEGRAM_WEBHOOK_SECRET", settings.telegram_webhook_secret))
    if settings.wechat_token:
        found.append(
            NamedSecret("WECHAT_TOKEN", settings.wechat_token, min_length=MIN_WECHAT_TOKEN_LENGTH)
        )
    return found


def problems(secrets: Iterable[NamedSecret]) -> list[str]:
    """One English sentence per problem, each naming the variable."""
    found: list[str] = []
    seen: dict[str, str] = {}
    for secret in secrets:
        problem = secret_problem(secret)
        if problem is not None:
            found.append(f"{secret.variable} {problem}")
            continue
        other = seen.get(secret.value.strip())
        if other is not None:
            found.append(f"{secret.variable} is the same value as {other}; use a separate secret")
        seen.setdefault(secret.value.strip(), secret.variable)
    return found


def check_secrets(
    settings: Settings | None = None, *, role: Role, features: Iterable[NamedSecret] = ()
) -> None:
    """Refuse to start in the production profile when a secret `role` needs is unfit.

    Does nothing in the embedded profile. `features` are the secrets of the back-office
    features the web app serves (`backoffice.secrets.backoffice_secrets`).

    Raises:
        InsecureSecretsError: Lists every problem; each is also logged as an error.
    """
    settings = settings or get_settings()
    if settings.profile != "production":
        return
    found = problems([*required_secrets(settings, role), *features])
    if not found:
        return
    for problem in found:
        logger.error(
            "refusing to start the %s in the production profile: %s", _LABELS[role], problem
        )
    raise InsecureSecretsError("; ".join(found))
