"""The Telegram channel's own citizen-facing texts, read from `connectors/telegram/messages.yml`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.messages import hotline, message
from core.texts import read_texts

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
COMMANDS = ("start", "help", "restart", "human")


def _texts() -> dict[str, Any]:
    return read_texts(MESSAGES_FILE)


def telegram_text(key: str, **values: object) -> str:
    """The Telegram message `key` with its placeholders filled (hotline ones for you)."""
    template = str(_texts()[key])
    return template.format(hotline=hotline(), hotline_name=message("hotline_name"), **values)


def command_descriptions() -> dict[str, str]:
    """Command name → Chinese description, in menu order."""
    descriptions = _texts()["commands"]
    return {name: str(descriptions[name]) for name in COMMANDS}
