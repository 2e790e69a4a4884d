"""The gateway's own citizen-facing messages, read from `connectors/messages.yml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yml")


@lru_cache(maxsize=1)
def _messages() -> dict[str, Any]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def hotline() -> str:
    """The hotline number given when the assistant cannot help."""
    return str(_messages()["hotline"])


def message(key: str, **values: object) -> str:
    """Return the message `key` with its placeholders filled (hotline ones are filled for you)."""
    data = _messages()
    template = str(data[key])
    return template.format(hotline=data["hotline"], hotline_name=data["hotline_name"], **values)
