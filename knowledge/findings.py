"""A problem ``make kb-check`` reports: level, file, line and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from knowledge.yamlfile import KnowledgeError

Level = Literal["错误", "警告"]


@dataclass(frozen=True)
class Finding:
    """One problem found by the check.

    Attributes:
        level: ``错误`` (blocks the change) or ``警告`` (should be looked at).
        path: The file.
        line: 1-based line, when known.
        message: What is wrong and how to fix it.
    """

    level: Level
    path: Path
    line: int | None
    message: str

    def describe(self, relative_to: Path) -> str:
        """Return ``file:line: level: message``."""
        path = (
            self.path.relative_to(relative_to)
            if self.path.is_relative_to(relative_to)
            else self.path
        )
        where = f"{path}:{self.line}" if self.line is not None else str(path)
        return f"{where}: {self.level}: {self.message}"

    @classmethod
    def from_error(cls, error: KnowledgeError, level: Level = "错误") -> Finding:
        """Wrap a loading error."""
        field = f"{error.field}: " if error.field else ""
        return cls(level=level, path=error.path, line=error.line, message=field + error.message)
