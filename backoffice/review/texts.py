"""The review inbox's texts (texts.yml) and its refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import ApiError
from core.texts import read_texts

TEXTS_FILE = Path(__file__).with_name("texts.yml")


def texts() -> dict[str, Any]:
    """Every text of the inbox."""
    return read_texts(TEXTS_FILE)


def text(key: str, **values: object) -> str:
    """The text `key`, placeholders filled."""
    value = str(texts()[key])
    return value.format(**values) if values else value


def refusal(status: int, code: str) -> ApiError:
    """A refusal with its Chinese message (texts.yml, errors)."""
    return ApiError(status, code, str(texts()["errors"][code]))
