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
    # Production profile: every Rasa replica, comma-separated (empty = only `rasa_url`).
    rasa_urls: str = ""
    # Production profile: Redis for the lock store, live updates, rate limits (empty = in-process).
    redis_url: str = ""
    # Prefix of every Redis key and channel of this deployment (letters and digits only: Rasa's
    # lock store uses it too), so several stacks can share one Redis.
    redis_key_prefix: str = "minzheng"
    action_server_url: str = "http://127.0.0.1:5055"
    backoffice_url: str = "http://127.0.0.1:8000"
    rasa_timeout_seconds: float = 20.0
    backoffice_timeout_seconds: float = 5.0
    max_message_chars: int = 500
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    # Bearer token for editors' API calls (reload, unanswered questions); empty = refused.
    editor_token: str = ""
    # Bearer token the action server sends to the records API (required in production).
    service_token: str = ""
    # Rasa's HTTP API token (`rasa run --auth-token`, via bot_plugins/rasa_run.py); the gateway
    # and the handoff desk send it with every call to Rasa.
    rasa_token: str = ""
    # Bearer token Rasa sends to the action server (bot/endpoints*.yml; actions/server.py).
    action_server_token: str = ""
    # Fernet key sealing ID numbers kept in conversation slots (core/sealing.py; required in
    # production).
    slot_sealing_key: str = ""
    # Browser origins allowed to call the APIs cross-site, comma-separated (empty = same origin
    # only).
    cors_origins: str = ""
    # This site's public origin (https://minzheng.example.gov.cn): staff and editor POSTs must
    # come from it (web/staff_guard.py). Empty = the request's Host header.
    site_origin: str = ""
    # Citizens' messages allowed per sender and per client IP in one minute (0 = no limit).
    rate_limit_per_sender_per_minute: int = 30
    rate_limit_per_ip_per_minute: int = 120
    # Conversations, transcripts and tracker events older than this are deleted by `make retention`.
    retention_days: int = 180
    # Telegram connector (connectors/telegram, README "Telegram"); no token = no Telegram.
    telegram_bot_token: str = ""
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    telegram_rate_limit_burst: int = 5
    telegram_rate_limit_per_minute: float = 20.0
    telegram_send_attempts: int = 4
    telegram_retry_base_seconds: float = 0.5
    telegram_callback_ttl_days: int = 30
    # WeChat official account (connectors/wechat, README "微信公众号"); no token = no routes.
    wechat_token: str = ""
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    wechat_encoding_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings object of this process (read once)."""
    return Settings()
