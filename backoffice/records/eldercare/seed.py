"""Seeds the sample eldercare facilities from ``seed_data.yml`` (idempotent upsert by code)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from backoffice.records.eldercare.facilities import NEED_FLAGS, upsert_facilities
from backoffice.records.eldercare.schemas import FacilityKind, Need, Ownership
from zhtext.places import default_table
from zhtext.streets import default_place_table

SEED_FILE = Path(__file__).with_name("seed_data.yml")


class SeedFacility(BaseModel):
    """One facility as ``seed_data.yml`` writes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z]+-[a-z]+-\d+$")
    name: str = Field(min_length=2)
    kind: FacilityKind
    ownership: Ownership | None = None
    district: str
    street: str
    address: str
    phone: str
    lat: float
    lon: float
    total_beds: int | None = Field(default=None, ge=0)
    nursing_beds: int | None = Field(default=None, ge=0)
    vacancies: int | None = Field(default=None, ge=0)
    price_min: int | None = Field(default=None, ge=0)
    price_max: int | None = Field(default=None, ge=0)
    meal_price: int | None = Field(default=None, ge=0)
    opening_hours: str | None = None
    needs: list[Need]
    visit_capacity: int = Field(default=0, ge=0)
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SeedFacility:
        default_table().get(self.district)  # KeyError for an unknown district
        street = default_place_table().get(self.street)
        if street.district != self.district:
            raise ValueError(f"{self.code}: {self.street} is not in {self.district}")
        if (self.price_min is None) != (self.price_max is None):
            raise ValueError(f"{self.code}: give both price_min and price_max")
        if (self.price_min or 0) > (self.price_max or 0):
            raise ValueError(f"{self.code}: price_min is above price_max")
        if self.nursing_beds is not None and (self.total_beds or 0) < self.nursing_beds:
            raise ValueError(f"{self.code}: more nursing beds than beds")
        return self

    def row(self, *, sample: bool) -> dict[str, Any]:
        """The column values of the facility."""
        values = self.model_dump(exclude={"district", "needs"})
        values["district_code"] = self.district
        values["is_sample"] = sample
        for need, flag in NEED_FLAGS.items():
            values[flag] = need in self.needs
        return values


class SeedFile(BaseModel):
    """Content of ``seed_data.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    updated: str
    sample: bool
    facilities: list[SeedFacility]


def load_seed_file(path: Path = SEED_FILE) -> SeedFile:
    """Read and check the seed file (raises pydantic's ValidationError when it is wrong)."""
    with path.open(encoding="utf-8") as handle:
        return SeedFile.model_validate(yaml.safe_load(handle))


def seed(session: Session) -> str:
    """Insert or update the sample facilities."""
    document = load_seed_file()
    rows = [facility.row(sample=document.sample) for facility in document.facilities]
    return f"eldercare facilities: {upsert_facilities(session=session, rows=rows)}"
