"""Where the pre-screen's figures come from: the entries of `knowledge/policies/assistance.yml`.

The back office's result names the policy entry of each reason and its date, but not the source;
the short result cites each figure with its source and date, so this module reads the same
editor-owned file (read only; re-read when it changes on disk, as the back office does). An
entry is in force on a day when it is the latest of its table to start on or before that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from core.settings import get_settings

# Tables of the policy file whose figures the short result cites.
STANDARD_TABLE = "dibao_standard"
BAND_TABLE = "dibian_band"
TEMPORARY_TABLE = "temporary_assistance"
# A source's name ends where its description in brackets starts:
# "2022年杭州低边标准放宽到低保2倍（杭州电视台新闻标题）" → "2022年杭州低边标准放宽到低保2倍".
_DESCRIPTION_OPENERS = ("（", "(")


@dataclass(frozen=True)
class Source:
    """One dated entry of a policy table and where its figures come from.

    Attributes:
        entry: The entry's id.
        title: The source's full title, as the editors wrote it.
        effective_from: First day the entry applies.
        sample: Its figures are sample values.
        verify: Its source is weak and must be checked.
    """

    entry: str
    title: str
    effective_from: dt.date
    sample: bool
    verify: bool

    @property
    def short_title(self) -> str:
        """The title without the description in brackets that follows the name."""
        cut = min(
            (i for i in (self.title.find(o) for o in _DESCRIPTION_OPENERS) if i > 0),
            default=len(self.title),
        )
        return self.title[:cut].strip()


def policy_file() -> Path:
    """`knowledge/policies/assistance.yml` under the configured knowledge directory."""
    return get_settings().knowledge_dir / "policies" / "assistance.yml"


def in_force(table: str, on: dt.date, path: Path | None = None) -> Source | None:
    """The entry of `table` in force on `on`, or None (no such table, or none started yet)."""
    entries = [e for e in _tables(path or policy_file()).get(table, []) if e.effective_from <= on]
    return max(entries, key=lambda e: e.effective_from, default=None)


def _tables(path: Path) -> Mapping[str, list[Source]]:
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _read(path, stamp)


@lru_cache(maxsize=4)
def _read(path: Path, stamp: int) -> Mapping[str, list[Source]]:
    """The file's tables (cached per modification time, so an edited file is read again)."""
    del stamp  # part of the cache key only
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    tables: dict[str, list[Source]] = {}
    for name, entries in document.items():
        if isinstance(entries, list):
            tables[str(name)] = [s for s in (_source(e) for e in entries) if s is not None]
    return tables


def _source(entry: Any) -> Source | None:
    if not isinstance(entry, dict) or "id" not in entry:
        return None
    source = entry.get("source") or {}
    effective_from = entry.get("effective_from")
    if not isinstance(effective_from, dt.date):
        return None
    return Source(
        entry=str(entry["id"]),
        title=str(source.get("title") or ""),
        effective_from=effective_from,
        sample=bool(entry.get("sample")),
        verify=bool(entry.get("verify")),
    )
