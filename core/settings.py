"""Process-wide settings, read once from the environment (and `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration shared by the web app, the back office and the action server.

    Every field maps to an upper-case environment variable listed in `.env.example`.
    """

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    profile: Literal["embedded", "production"] = "embedded"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'backoffice.db'}"
    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    backoffice_url: str = "http://127.0.0.1:8000"
    rasa_timeout_seconds: float = 20.0
    backoffice_timeout_seconds: float = 5.0
    max_message_chars: int = 500
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    # Bearer token for editors' API calls (reload, unanswered questions); empty = refused.
    editor_token: str = ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings object of this process (read once)."""
    return Settings()
