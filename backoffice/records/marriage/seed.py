"""Seeds the marriage-registration offices from `seed_data.yml` (sample data, see the file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from backoffice.records.marriage.offices import upsert_offices
from backoffice.records.seed_files import seed_rows

OFFICES_FILE = Path(__file__).with_name("seed_data.yml")


def load_office_rows(path: Path = OFFICES_FILE) -> list[dict[str, Any]]:
    """The office rows of the seed file."""
    return seed_rows(path, "offices")


def seed(session: Session) -> str:
    """Insert or update the 14 marriage-registration offices."""
    return f"marriage offices: {upsert_offices(session=session, rows=load_office_rows())}"
