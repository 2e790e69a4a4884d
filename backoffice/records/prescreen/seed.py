"""Seeds sample assistance applications (for the status lookup) from `seed_data.yml`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from backoffice.records.prescreen.service import upsert_applications

SEED_FILE = Path(__file__).resolve().parent / "seed_data.yml"


def load_application_rows(path: Path = SEED_FILE) -> list[dict[str, Any]]:
    """The application rows of the seed file."""
    with path.open(encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = yaml.safe_load(handle)["applications"]
    return rows


def seed(session: Session) -> str:
    """Insert or update the sample applications."""
    count = upsert_applications(session=session, rows=load_application_rows())
    return f"assistance applications: {count}"
