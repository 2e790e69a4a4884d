"""Texts of the handoff desk (to citizens and in API errors), from `texts.yml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TEXTS_FILE = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=1)
def _texts() -> dict[str, Any]:
    with TEXTS_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


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
