"""Seeds the districts and counties from the shared gazetteer file `zhtext/data/districts.yml`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backoffice.records.districts.service import upsert_districts
from backoffice.records.seed_files import seed_rows
from core.settings import PROJECT_ROOT

DISTRICTS_FILE = PROJECT_ROOT / "zhtext" / "data" / "districts.yml"


def seed(session: Session) -> str:
    """Insert or update the 13 districts and counties."""
    rows = seed_rows(DISTRICTS_FILE, "districts")
    return f"districts: {upsert_districts(session=session, rows=rows)}"
