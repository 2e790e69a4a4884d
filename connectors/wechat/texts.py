"""The WeChat channel's own citizen-facing texts, read from `connectors/wechat/messages.yml`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.messages import hotline, message
from core.texts import read_texts

TEXTS_FILE = Path(__file__).with_name("messages.yml")


def _texts() -> dict[str, Any]:
    return read_texts(TEXTS_FILE)


def wechat_text(key: str, **values: object) -> str:
    """The text `key` with its placeholders filled (the hotline ones are filled for you)."""
    template = str(_texts()[key])
    return template.format(hotline=hotline(), hotline_name=message("hotline_name"), **values)
