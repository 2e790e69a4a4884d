"""Seeds the sample staff accounts (dev passwords) — embedded profile only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from backoffice.records.handoff.settings import get_handoff_settings
from backoffice.records.seed_files import seed_rows
from backoffice.staff.service import upsert_staff
from core.settings import get_settings


def load_seed_staff(path: Path) -> list[dict[str, Any]]:
    """The staff rows of the seed file."""
    return seed_rows(path, "staff")


def seed(session: Session) -> str:
    """Sample staff for development; skipped in the production profile."""
    if get_settings().profile == "production":
        return "handoff staff: skipped (production profile: add accounts with backoffice.staff.cli)"
    rows = load_seed_staff(get_handoff_settings().seed_staff_file)
    return f"handoff staff: {upsert_staff(session=session, rows=rows)} (dev passwords)"
