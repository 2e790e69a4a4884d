"""Texts of the handoff desk (to citizens and in API errors), from `texts.yml`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.texts import read_texts

TEXTS_FILE = Path(__file__).with_name("texts.yml")


def _texts() -> dict[str, Any]:
    return read_texts(TEXTS_FILE)


def citizen_text(key: str, **values: object) -> str:
    """The citizen-facing text `key` with its placeholders filled."""
    return str(_texts()["citizen"][key]).format(**values)


def error_text(key: str) -> str:
    """The API error message `key`."""
    return str(_texts()["errors"][key])


def resume_points() -> list[dict[str, str]]:
    """Where the bot may resume after a hand-back: `{"intent", "label"}`, the default first."""
    return [
        {"intent": str(item["intent"]), "label": str(item["label"])}
        for item in _texts()["resume_points"]
    ]
