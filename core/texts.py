"""YAML text catalogues (citizen, staff and editor wording lives in YAML, never in code).

Each catalogue is read once per process; `read_texts` is the one loader every module with a
`texts.yml` / `messages.yml` uses.
"""

from __future__ import annotations

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
