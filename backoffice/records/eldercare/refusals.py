"""Eldercare refusals: an `ApiError` with its Chinese message from `messages.yml`."""

from __future__ import annotations

from pathlib import Path

from core.errors import ApiError
from core.texts import TextCatalogue

MESSAGES = TextCatalogue(Path(__file__).with_name("messages.yml"))


def refusal(code: str, status_code: int = 422) -> ApiError:
    """The refusal `code` with its message from messages.yml (422 unless said)."""
    return ApiError(status_code, code, MESSAGES.text_or_key(code))
