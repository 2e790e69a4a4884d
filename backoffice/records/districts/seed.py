"""Seeds the districts and counties from the shared gazetteer file `zhtext/data/districts.yml`."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from backoffice.records.districts.service import upsert_districts
from core.settings import PROJECT_ROOT

DISTRICTS_FILE = PROJECT_ROOT / "zhtext" / "data" / "districts.yml"


def load_district_rows(path: Path = DISTRICTS_FILE) -> list[dict[str, object]]:
    """The district rows of the gazetteer file."""
    with path.open(encoding="utf-8") as handle:
        rows: list[dict[str, object]] = yaml.safe_load(handle)["districts"]
    return rows


def seed(session: Session) -> str:
    """Insert or update the 13 districts and counties."""
    return f"districts: {upsert_districts(session=session, rows=load_district_rows())}"
