"""The pre-screen back office's messages, read from `messages.yml` next to this file."""

from __future__ import annotations

from pathlib import Path

from core.texts import TextCatalogue

MESSAGES = TextCatalogue(Path(__file__).with_name("messages.yml"))


def text(key: str, **values: object) -> str:
    """Return message `key` with its placeholders filled."""
    return MESSAGES.text(key, **values)
