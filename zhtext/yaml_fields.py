"""Reading the YAML data files of zhtext (holidays, districts, streets) and checking their parts.

Each kind of file has its own error type; a wrong part raises it, saying where the part is, and
`load` puts the file's path in front.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")


@dataclass(frozen=True)
class YamlFields:
    """The checks of one kind of YAML data file.

    Attributes:
        error: Raised for a part that is missing or of the wrong kind.
    """

    error: type[ValueError]

    def load(self, path: Path, build: Callable[[Any], T]) -> T:
        """Parse the file at `path` and build from the document.

        Raises:
            ValueError: `error`, with the path in front, when a part is wrong.
            OSError: When the file cannot be read.
        """
        with path.open(encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
        try:
            return build(document)
        except self.error as error:
            raise self.error(f"{path}: {error}") from error

    def mapping(self, value: Any, where: str) -> Mapping[Any, Any]:
        """`value` when it is a mapping."""
        if not isinstance(value, Mapping):
            raise self.error(f"{where} must be a mapping")
        return value

    def entries(self, value: Any, where: str) -> list[Any]:
        """`value` when it is a list."""
        if not isinstance(value, list):
            raise self.error(f"{where} must be a list")
        return value

    def text(self, entry: Mapping[Any, Any], key: str, where: str) -> str:
        """`entry[key]` without surrounding spaces, when it is non-empty text."""
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{where}: {key} must be non-empty text")
        return value.strip()
