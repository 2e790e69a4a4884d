"""The Telegram channel's own citizen-facing texts, read from `connectors/telegram/messages.yml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from connectors.messages import hotline, message

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
COMMANDS = ("start", "help", "restart", "human")


@lru_cache(maxsize=1)
def _texts() -> dict[str, Any]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def telegram_text(key: str, **values: object) -> str:
    """The Telegram message `key` with its placeholders filled (hotline ones for you)."""
    template = str(_texts()[key])
    return template.format(hotline=hotline(), hotline_name=message("hotline_name"), **values)


def command_descriptions() -> dict[str, str]:
    """Command name → Chinese description, in menu order."""
    descriptions = _texts()["commands"]
    return {name: str(descriptions[name]) for name in COMMANDS}
