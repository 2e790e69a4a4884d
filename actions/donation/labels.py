"""Short phrases the donation actions put into replies, read from `labels.yml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LABELS_FILE = Path(__file__).with_name("labels.yml")


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    with LABELS_FILE.open(encoding="utf-8") as handle:
        data: dict[str, object] = yaml.safe_load(handle)
    return {key: str(value) for key, value in data.items() if key != "version"}


def label(key: str, **values: object) -> str:
    """Return phrase `key` with its placeholders filled."""
    return _labels()[key].format(**values)
