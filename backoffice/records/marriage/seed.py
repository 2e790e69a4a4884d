"""Seeds the marriage-registration offices from `seed_data.yml` (sample data, see the file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from backoffice.records.marriage.offices import upsert_offices

OFFICES_FILE = Path(__file__).with_name("seed_data.yml")


def load_office_rows(path: Path = OFFICES_FILE) -> list[dict[str, Any]]:
    """The office rows of the seed file."""
    with path.open(encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = yaml.safe_load(handle)["offices"]
    return rows


def seed(session: Session) -> str:
    """Insert or update the 14 marriage-registration offices."""
    return f"marriage offices: {upsert_offices(session=session, rows=load_office_rows())}"
