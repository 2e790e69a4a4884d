"""The donation back office's messages and refusals, read from `messages.yml` next to this file."""

from __future__ import annotations

from pathlib import Path

from core.errors import ApiError
from core.texts import TextCatalogue

MESSAGES = TextCatalogue(Path(__file__).with_name("messages.yml"))


def text(key: str, **values: object) -> str:
    """Return message `key` with its placeholders filled."""
    return MESSAGES.text(key, **values)


def refusal(status_code: int, code: str, **values: object) -> ApiError:
    """The refusal `code` with its message (placeholders filled) and HTTP status."""
    return ApiError(status_code, code, text(code, **values))
