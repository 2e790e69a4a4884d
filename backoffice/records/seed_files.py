"""The features' YAML seed files: a list of rows under one key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def seed_rows(path: Path, key: str) -> list[dict[str, Any]]:
    """The rows under `key` of the YAML file at `path`."""
    with path.open(encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = yaml.safe_load(handle)[key]
    return rows
