"""Hangzhou's districts and counties: recognise them in citizen input.

The list lives in ``zhtext/data/districts.yml``, the single source of truth also used by the back
office seed and the assistance pre-screen (``tier`` = the 低保 standard band). It has the 13
current districts, counties and county-level cities, and the names abolished in 2021:

- "下城区" was merged into 拱墅区: one candidate, flagged ``change="merged"`` so the assistant can
  say so;
- "江干区" was split between 上城区 and 钱塘区: two candidates, the assistant must ask.

Matching is by substring ("西湖区文三路附近" → 西湖区), longest name first, on text the gateway
has already normalised (Simplified Chinese).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast, get_args

from zhtext.yaml_fields import YamlFields

__all__ = [
    "DEFAULT_DISTRICT_FILE",
    "District",
    "DistrictFileError",
    "DistrictMatch",
    "DistrictTable",
    "FormerDistrict",
    "all_districts",
    "default_table",
    "find_district",
    "get_district",
]

DEFAULT_DISTRICT_FILE = Path(__file__).resolve().parent / "data" / "districts.yml"

Kind = Literal["区", "县", "县级市"]
Change = Literal["merged", "split"]
_KINDS: tuple[str, ...] = get_args(Kind)
_CHANGES: tuple[str, ...] = get_args(Change)
_CODE = re.compile(r"[a-z]+")


class DistrictFileError(ValueError):
    """``districts.yml`` is malformed."""


_FIELDS = YamlFields(DistrictFileError)


@dataclass(frozen=True)
class District:
    """A current district (区), county (县) or county-level city (县级市) of Hangzhou.

    Attributes:
        code: Stable pinyin code, e.g. "xihu".
        gb_code: Administrative division code (GB/T 2260), e.g. "330106".
        name: Full name, e.g. "西湖区".
        short_name: Name without the suffix, e.g. "西湖".
        kind: "区", "县" or "县级市".
        tier: Band of the 低保 standard, a key of ``tiers`` in the data file.
        aliases: Other names citizens use ("下沙" for 钱塘区).
    """

    code: str
    gb_code: str
    name: str
    short_name: str
    kind: Kind
    tier: str
    aliases: tuple[str, ...] = ()

    @property
    def all_names(self) -> tuple[str, ...]:
        """Full name, short name and aliases."""
        return (self.name, self.short_name, *self.aliases)


@dataclass(frozen=True)
class FormerDistrict:
    """A district abolished by a boundary change.

    Attributes:
        name: Former full name, e.g. "江干区".
        short_name: Former short name, e.g. "江干".
        change: "merged" (into one successor) or "split" (between several).
        year: Year of the change.
        successors: Codes of the current districts that took over its area.
    """

    name: str
    short_name: str
    change: Change
    year: int
    successors: tuple[str, ...]


@dataclass(frozen=True)
class DistrictMatch:
    """The district(s) a text refers to.

    Attributes:
        candidates: Current districts meant, in order of mention; more than one means the
            assistant must ask which.
        matched: The name found in the text, e.g. "下沙".
        former: The abolished district that was named, if any.
    """

    candidates: tuple[District, ...]
    matched: str
    former: FormerDistrict | None = None

    @property
    def district(self) -> District | None:
        """The district when exactly one is meant, else None."""
        return self.candidates[0] if len(self.candidates) == 1 else None

    @property
    def needs_choice(self) -> bool:
        """True when several districts are possible ("江干区", or two districts named)."""
        return len(self.candidates) > 1


@dataclass(frozen=True)
class DistrictTable:
    """All districts and former district names, with a matcher built from them.

    Attributes:
        districts: Current districts in file order.
        former: Abolished districts.
        tiers: 低保 tier code → its label.
    """

    districts: tuple[District, ...]
    former: tuple[FormerDistrict, ...]
    tiers: Mapping[str, str]
    _by_code: Mapping[str, District] = field(init=False, repr=False, compare=False)
    _targets: Mapping[str, District | FormerDistrict] = field(init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code = {district.code: district for district in self.districts}
        targets: dict[str, District | FormerDistrict] = {}
        everything: tuple[District | FormerDistrict, ...] = (*self.districts, *self.former)
        for target in everything:
            names = target.all_names if isinstance(target, District) else _former_names(target)
            for name in names:
                if name in targets and targets[name] != target:
                    raise DistrictFileError(f"name {name!r} is used twice")
                targets[name] = target
        pattern = "|".join(re.escape(name) for name in sorted(targets, key=len, reverse=True))
        object.__setattr__(self, "_by_code", MappingProxyType(by_code))
        object.__setattr__(self, "_targets", MappingProxyType(targets))
        object.__setattr__(self, "_pattern", re.compile(pattern))

    @classmethod
    def from_file(cls, path: Path) -> DistrictTable:
        """Load and check ``districts.yml``.

        Raises:
            DistrictFileError: When the file is not valid.
            OSError: When it cannot be read.
        """
        return _FIELDS.load(path, cls.from_document)

    @classmethod
    def from_document(cls, document: Any) -> DistrictTable:
        """Build the table from the parsed YAML document.

        Raises:
            DistrictFileError: When a field is missing or wrong.
        """
        root = _FIELDS.mapping(document, "file")
        tiers = {
            str(code): _FIELDS.text(
                _FIELDS.mapping(tier, f"tiers.{code}"), "label", f"tiers.{code}"
            )
            for code, tier in _FIELDS.mapping(root.get("tiers"), "tiers").items()
        }
        districts = tuple(
            _district(item, tiers) for item in _FIELDS.entries(root.get("districts"), "districts")
        )
        codes = [district.code for district in districts]
        if len(set(codes)) != len(codes):
            raise DistrictFileError("districts: a code is used twice")
        former = tuple(
            _former(item, frozenset(codes))
            for item in _FIELDS.entries(root.get("former_districts", []), "former_districts")
        )
        return cls(districts, former, MappingProxyType(tiers))

    def get(self, code: str) -> District:
        """Return the district with this code.

        Raises:
            KeyError: For an unknown code.
        """
        return self._by_code[code]

    def find(self, text: str) -> DistrictMatch | None:
        """Find the district(s) named in ``text``.

        Args:
            text: Citizen input, e.g. "西湖区文三路附近", "下沙", "以前是江干区的".

        Returns:
            The match, or None when no district is named.
        """
        cleaned = unicodedata.normalize("NFKC", text)
        candidates: list[District] = []
        first: tuple[str, FormerDistrict | None] | None = None
        for found in self._pattern.finditer(cleaned):
            target = self._targets[found.group(0)]
            if isinstance(target, District):
                meant: tuple[District, ...] = (target,)
                former = None
            else:
                meant = tuple(self.get(code) for code in target.successors)
                former = target
            if first is None:
                first = (found.group(0), former)
            candidates.extend(d for d in meant if d not in candidates)
        if first is None:
            return None
        return DistrictMatch(tuple(candidates), first[0], first[1])


@cache
def default_table() -> DistrictTable:
    """The table from ``zhtext/data/districts.yml``, loaded once per process."""
    return DistrictTable.from_file(DEFAULT_DISTRICT_FILE)


def find_district(text: str) -> DistrictMatch | None:
    """Find the Hangzhou district(s) named in ``text`` (see :meth:`DistrictTable.find`)."""
    return default_table().find(text)


def get_district(code: str) -> District:
    """Return the district with this code ("xihu" → 西湖区).

    Raises:
        KeyError: For an unknown code.
    """
    return default_table().get(code)


def all_districts() -> tuple[District, ...]:
    """All current districts, counties and county-level cities, in file order."""
    return default_table().districts


def _former_names(former: FormerDistrict) -> tuple[str, ...]:
    return (former.name, former.short_name)


def _district(item: Any, tiers: Mapping[str, str]) -> District:
    entry = _FIELDS.mapping(item, "districts[]")
    code = _FIELDS.text(entry, "code", "districts[]")
    where = f"districts.{code}"
    if not _CODE.fullmatch(code):
        raise DistrictFileError(f"{where}: code must be lowercase pinyin letters")
    gb_code = _FIELDS.text(entry, "gb_code", where)
    if not (len(gb_code) == 6 and gb_code.isdigit() and gb_code.startswith("3301")):
        raise DistrictFileError(f"{where}: gb_code must be six digits starting 3301")
    kind = _FIELDS.text(entry, "kind", where)
    if kind not in _KINDS:
        raise DistrictFileError(f"{where}: kind must be one of {', '.join(_KINDS)}")
    tier = _FIELDS.text(entry, "tier", where)
    if tier not in tiers:
        raise DistrictFileError(f"{where}: tier {tier!r} is not listed under tiers")
    aliases = tuple(_texts(entry.get("aliases", []), f"{where}.aliases"))
    return District(
        code=code,
        gb_code=gb_code,
        name=_FIELDS.text(entry, "name", where),
        short_name=_FIELDS.text(entry, "short_name", where),
        kind=cast(Kind, kind),  # checked against _KINDS above
        tier=tier,
        aliases=aliases,
    )


def _former(item: Any, codes: frozenset[str]) -> FormerDistrict:
    entry = _FIELDS.mapping(item, "former_districts[]")
    name = _FIELDS.text(entry, "name", "former_districts[]")
    where = f"former_districts.{name}"
    change = _FIELDS.text(entry, "change", where)
    if change not in _CHANGES:
        raise DistrictFileError(f"{where}: change must be one of {', '.join(_CHANGES)}")
    successors = tuple(_texts(entry.get("successors"), f"{where}.successors"))
    unknown = [code for code in successors if code not in codes]
    if unknown or not successors:
        raise DistrictFileError(f"{where}: successors must be district codes, got {successors}")
    if change == "merged" and len(successors) != 1:
        raise DistrictFileError(f"{where}: a merged district has exactly one successor")
    year = entry.get("year")
    if not isinstance(year, int):
        raise DistrictFileError(f"{where}: year must be a number")
    return FormerDistrict(
        name=name,
        short_name=_FIELDS.text(entry, "short_name", where),
        change=cast(Change, change),  # checked against _CHANGES above
        year=year,
        successors=successors,
    )


def _texts(value: Any, where: str) -> list[str]:
    items = _FIELDS.entries(value, where)
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise DistrictFileError(f"{where} must be a list of names")
    return [item.strip() for item in items]
