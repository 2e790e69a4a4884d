"""The assistance policy tables (`knowledge/policies/assistance.yml`), checked and dated.

Each table is a list of entries with an `effective_from` date; the entry in force on a date is the
latest one that started on or before it. Editors change the file, not the code: the file is
re-read when it changes on disk.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from backoffice.records.prescreen.texts import text
from core.settings import get_settings
from zhtext.places import default_table

Circumstance = Literal[
    "severe_disability",
    "serious_illness",
    "no_capacity_no_income_no_supporter",
    "sudden_emergency",
    "large_expense",
]
CIRCUMSTANCES: tuple[Circumstance, ...] = (
    "severe_disability",
    "serious_illness",
    "no_capacity_no_income_no_supporter",
    "sudden_emergency",
    "large_expense",
)
Confidence = Literal["official", "press", "third_party", "sample"]
AssetOutcome = Literal["unlikely", "review"]


class PolicyFileError(ValueError):
    """The policy file is missing or malformed."""


class PolicySource(BaseModel):
    """Where an entry's figures come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    url: str | None = None
    confidence: Confidence


class PolicyEntry(BaseModel):
    """Fields every dated entry has.

    Attributes:
        id: Stable name of the entry, logged with every pre-screen that used it.
        effective_from: First day the entry applies.
        sample: True when the figures are sample values, not published ones.
        verify: True when the source is weak and the entry must be checked.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    effective_from: date
    sample: bool
    verify: bool
    note: str = ""
    source: PolicySource


class DibaoStandard(PolicyEntry):
    """低保 standard in yuan per person per month, by district tier (missing tier = unknown)."""

    amounts: dict[str, Decimal]


class DibianBand(PolicyEntry):
    """低边 income line: per-capita income ≤ 低保 standard × multiplier."""

    multiplier: Decimal = Field(gt=1)


class AssetLimits(PolicyEntry):
    """Asset tests: savings per person in months of the standard, vehicles, extra housing."""

    savings_months: dict[Literal["dibao", "dibian"], Decimal]
    vehicle_outcome: AssetOutcome
    extra_housing_outcome: AssetOutcome


class IncomeRules(PolicyEntry):
    """Which incomes count and which are excluded."""

    counted: list[str]
    excluded: list[str]


class TekunRules(PolicyEntry):
    """特困 conditions."""

    required_circumstance: Circumstance
    categories: list[str]


class TemporaryRules(PolicyEntry):
    """临时救助 types: which circumstances point to which type."""

    emergency_circumstances: list[Circumstance]
    expense_circumstances: list[Circumstance]
    review_circumstances: list[Circumstance]
    expense_income_multiplier: Decimal = Field(gt=0)


class ScreeningRules(PolicyEntry):
    """Parameters of the pre-screen itself (not policy text)."""

    approximate_margin: Decimal = Field(ge=0, lt=1)
    review_over_standard_with: list[Circumstance]


class ApplicationInfo(PolicyEntry):
    """How and where to apply, and what to bring."""

    where: str
    where_permit: str
    online: str
    documents: list[str]


class PolicyDocument(BaseModel):
    """The whole policy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    updated: date
    last_editor: str
    dibao_standard: list[DibaoStandard]
    dibian_band: list[DibianBand]
    asset_limits: list[AssetLimits]
    income_rules: list[IncomeRules]
    tekun: list[TekunRules]
    temporary_assistance: list[TemporaryRules]
    screening: list[ScreeningRules]
    application: list[ApplicationInfo]

    @model_validator(mode="after")
    def _check_tables(self) -> PolicyDocument:
        tables: list[Sequence[PolicyEntry]] = [
            self.dibao_standard,
            self.dibian_band,
            self.asset_limits,
            self.income_rules,
            self.tekun,
            self.temporary_assistance,
            self.screening,
            self.application,
        ]
        ids = [entry.id for table in tables for entry in table]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(text("policy_duplicate_ids", ids=", ".join(duplicates)))
        for table in tables:
            starts = [entry.effective_from for entry in table]
            if len(set(starts)) != len(starts):
                raise ValueError(text("policy_duplicate_start", entry=table[0].id))
        known_tiers = set(default_table().tiers)
        for entry in self.dibao_standard:
            unknown = set(entry.amounts) - known_tiers
            if unknown:
                raise ValueError(
                    text("policy_unknown_tiers", entry=entry.id, tiers=", ".join(sorted(unknown)))
                )
        return self


E = TypeVar("E", bound=PolicyEntry)


def entry_in_force(table: Sequence[E], on: date) -> E | None:
    """The latest entry of `table` that started on or before `on`, or None."""
    started = [entry for entry in table if entry.effective_from <= on]
    return max(started, key=lambda entry: entry.effective_from) if started else None


@dataclass(frozen=True)
class PolicyInForce:
    """The entry of each table in force on one date (None where no entry had started yet)."""

    as_of: date
    version: int
    dibao: DibaoStandard | None
    dibian: DibianBand | None
    assets: AssetLimits | None
    income: IncomeRules | None
    tekun: TekunRules | None
    temporary: TemporaryRules | None
    screening: ScreeningRules | None
    application: ApplicationInfo | None

    @property
    def version_label(self) -> str:
        """The version as logged: file version and the ids of the entries used."""
        used = [
            entry.id
            for entry in (
                self.dibao,
                self.dibian,
                self.assets,
                self.income,
                self.tekun,
                self.temporary,
                self.screening,
                self.application,
            )
            if entry is not None
        ]
        return f"assistance.yml v{self.version}: " + ", ".join(used)


def policy_in_force(document: PolicyDocument, on: date) -> PolicyInForce:
    """Pick the entries in force on `on`."""
    return PolicyInForce(
        as_of=on,
        version=document.version,
        dibao=entry_in_force(document.dibao_standard, on),
        dibian=entry_in_force(document.dibian_band, on),
        assets=entry_in_force(document.asset_limits, on),
        income=entry_in_force(document.income_rules, on),
        tekun=entry_in_force(document.tekun, on),
        temporary=entry_in_force(document.temporary_assistance, on),
        screening=entry_in_force(document.screening, on),
        application=entry_in_force(document.application, on),
    )


def load_policy(path: Path) -> PolicyDocument:
    """Read and check a policy file.

    Raises:
        PolicyFileError: When the file cannot be read or is not valid.
    """
    try:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
        return PolicyDocument.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError) as error:
        raise PolicyFileError(f"{path}: {error}") from error


def default_policy_path() -> Path:
    """`knowledge/policies/assistance.yml` under the configured knowledge directory."""
    return get_settings().knowledge_dir / "policies" / "assistance.yml"


class PolicyCache:
    """Keeps the parsed file and re-reads it when its modification time changes."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._stamp: int | None = None
        self._document: PolicyDocument | None = None

    def get(self) -> PolicyDocument:
        """The current document (re-read if the file changed since the last call)."""
        try:
            stamp = self._path.stat().st_mtime_ns
        except OSError as error:
            raise PolicyFileError(f"{self._path}: {error}") from error
        with self._lock:
            if self._document is None or stamp != self._stamp:
                self._document = load_policy(self._path)
                self._stamp = stamp
            return self._document


_caches: dict[Path, PolicyCache] = {}
_caches_lock = threading.Lock()


def get_policy(path: Path | None = None) -> PolicyDocument:
    """The policy document at `path` (default: the configured one), cached per path."""
    target = path or default_policy_path()
    with _caches_lock:
        cache = _caches.setdefault(target, PolicyCache(target))
    return cache.get()
