"""What the APIs and channels tell citizens themselves (errors, notices): `core/messages.yml`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.texts import read_texts

MESSAGES_FILE = Path(__file__).with_name("messages.yml")


def _messages() -> dict[str, Any]:
    return read_texts(MESSAGES_FILE)


def hotline() -> str:
    """The hotline number given when the assistant cannot help."""
    return str(_messages()["hotline"])


def message(key: str, **values: object) -> str:
    """Return the message `key` with its placeholders filled (hotline ones are filled for you)."""
    data = _messages()
    template = str(data[key])
    return template.format(hotline=data["hotline"], hotline_name=data["hotline_name"], **values)
