"""YAML text catalogues (citizen, staff and editor wording lives in YAML, never in code).

Each catalogue is read once per process; `read_texts` is the one loader every module with a
`texts.yml` / `messages.yml` uses, and `TextCatalogue` the one way to fill in a message of a flat
`key: text` file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml


@lru_cache(maxsize=32)
def read_texts(path: Path) -> dict[str, Any]:
    """The mapping in the YAML file `path` (cached per path).

    Raises:
        ValueError: The file does not hold a mapping.
    """
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of key: text")
    return data


@dataclass(frozen=True)
class TextCatalogue:
    """A flat YAML file of `key: text` with `{placeholders}` (a `version` key is not a text)."""

    path: Path

    def text(self, key: str, **values: object) -> str:
        """The text `key` with its placeholders filled.

        Raises:
            KeyError: The catalogue has no text `key`.
        """
        return str(read_texts(self.path)[key]).format(**values)

    def text_or_key(self, key: str, **values: object) -> str:
        """The text `key`, or `key` itself when the catalogue has none (never fails a refusal)."""
        return self.text(key, **values) if key in read_texts(self.path) else key
