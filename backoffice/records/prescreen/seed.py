"""Seeds sample assistance applications (for the status lookup) from `seed_data.yml`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from backoffice.records.prescreen.service import upsert_applications
from backoffice.records.seed_files import seed_rows

SEED_FILE = Path(__file__).resolve().parent / "seed_data.yml"


def seed(session: Session) -> str:
    """Insert or update the sample applications."""
    count = upsert_applications(session=session, rows=seed_rows(SEED_FILE, "applications"))
    return f"assistance applications: {count}"
