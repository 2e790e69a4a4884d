"""The editors' catalogue in `seed_data.yml`: themes, projects, goods categories, drop-off points.

Read on first use (not at import) and checked with pydantic, so a typo fails the seeding loudly.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

SEED_FILE = Path(__file__).with_name("seed_data.yml")


class ProjectRow(BaseModel):
    """One project of the catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    theme: str
    general_fund: bool = False
    organiser: str = Field(min_length=1)
    description: str = Field(min_length=1)
    target_yuan: Decimal | None = Field(default=None, gt=0)
    raised_offline_yuan: Decimal = Field(default=Decimal(0), ge=0)
    status: Literal["active", "completed", "closed"]
    fundraising_record_no: str = Field(min_length=1)
    recommended: bool = False


class GoodsCategoryRow(BaseModel):
    """A kind of goods that is accepted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: str
    note: str = ""


class DropOffPointRow(BaseModel):
    """A drop-off point for goods."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: str
    district: str
    address: str
    hours: str
    categories: list[str] = Field(min_length=1)


class GoodsCatalogue(BaseModel):
    """Accepted goods and where to bring them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    categories: list[GoodsCategoryRow]
    not_accepted: str
    where_to_give: str = Field(min_length=1)
    points: list[DropOffPointRow]

    @model_validator(mode="after")
    def _points_name_known_categories(self) -> GoodsCatalogue:
        known = {c.code for c in self.categories}
        for point in self.points:
            unknown = set(point.categories) - known
            if unknown:
                raise ValueError(f"point {point.code}: unknown categories {sorted(unknown)}")
        return self


class Catalogue(BaseModel):
    """The whole seed file."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sample: bool
    themes: dict[str, str]
    projects: list[ProjectRow]
    goods: GoodsCatalogue

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        codes = [p.code for p in self.projects]
        if len(codes) != len(set(codes)):
            raise ValueError("duplicate project codes")
        for project in self.projects:
            if project.theme not in self.themes:
                raise ValueError(f"project {project.code}: unknown theme {project.theme}")
        if sum(p.general_fund for p in self.projects) != 1:
            raise ValueError("exactly one project must be the general fund")
        return self


def load_catalogue(path: Path = SEED_FILE) -> Catalogue:
    """Read and check a catalogue file."""
    with path.open(encoding="utf-8") as handle:
        return Catalogue.model_validate(yaml.safe_load(handle))


@lru_cache(maxsize=1)
def get_catalogue() -> Catalogue:
    """The catalogue of this process (read on first use)."""
    return load_catalogue()
