"""The donation back office's error messages, read from `messages.yml` next to this file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yml")


@lru_cache(maxsize=1)
def _messages() -> dict[str, str]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, object] = yaml.safe_load(handle)
    return {key: str(value) for key, value in data.items() if key != "version"}


def text(key: str, **values: object) -> str:
    """Return message `key` with its placeholders filled."""
    return _messages()[key].format(**values)
