"""Gazetteer of place and service names and everyday synonyms (``knowledge/gazetteer.yml``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from knowledge.schema import NonEmptyText
from knowledge.yamlfile import read_optional_document

GAZETTEER_FILE = "gazetteer.yml"

EntryKind = Literal["place", "service", "term"]


class GazetteerEntry(BaseModel):
    """One named thing and the other ways citizens write it.

    Attributes:
        name: Standard name, as the articles write it.
        kind: ``place``, ``service``, or ``term`` (an everyday word with synonyms, e.g. 去世).
        aliases: Other spellings, treated as the standard name when searching.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: NonEmptyText
    kind: EntryKind
    aliases: tuple[NonEmptyText, ...] = ()


class GazetteerFile(BaseModel):
    """Content of ``gazetteer.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: tuple[GazetteerEntry, ...] = ()

    @field_validator("entries")
    @classmethod
    def _unique_terms(cls, value: tuple[GazetteerEntry, ...]) -> tuple[GazetteerEntry, ...]:
        seen: dict[str, str] = {}
        for entry in value:
            for term in (entry.name, *entry.aliases):
                if term in seen and seen[term] != entry.name:
                    raise ValueError(f"「{term}」同时属于「{seen[term]}」和「{entry.name}」")
                seen[term] = entry.name
        return value


@dataclass(frozen=True)
class Gazetteer:
    """Lookup from any spelling to the standard name, and from a name to its kind.

    Attributes:
        canonical: Spelling (name or alias) → standard name.
        kinds: Standard name → ``place``, ``service`` or ``term``.
    """

    canonical: Mapping[str, str]
    kinds: Mapping[str, EntryKind]

    @classmethod
    def from_entries(cls, entries: Iterable[GazetteerEntry]) -> Gazetteer:
        """Build the lookup tables from entries."""
        canonical: dict[str, str] = {}
        kinds: dict[str, EntryKind] = {}
        for entry in entries:
            kinds[entry.name] = entry.kind
            canonical[entry.name] = entry.name
            for alias in entry.aliases:
                canonical[alias] = entry.name
        return cls(canonical=MappingProxyType(canonical), kinds=MappingProxyType(kinds))

    @property
    def terms(self) -> frozenset[str]:
        """Every spelling the gazetteer knows (names and aliases)."""
        return frozenset(self.canonical)

    def normalise(self, token: str) -> str:
        """Return the standard name for a spelling, or the token unchanged."""
        return self.canonical.get(token, token)

    def kind_of(self, name: str) -> EntryKind | None:
        """Return the kind of a standard name, else ``None``."""
        return self.kinds.get(name)


EMPTY_GAZETTEER = Gazetteer(canonical=MappingProxyType({}), kinds=MappingProxyType({}))


def load_gazetteer(root: Path) -> Gazetteer:
    """Read ``gazetteer.yml`` from the knowledge folder (empty when absent).

    Args:
        root: The knowledge folder.

    Returns:
        The gazetteer.

    Raises:
        KnowledgeError: When the file exists but is invalid.
    """
    found = read_optional_document(root / GAZETTEER_FILE, GazetteerFile)
    return EMPTY_GAZETTEER if found is None else Gazetteer.from_entries(found.entries)
