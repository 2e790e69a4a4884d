"""Seeds the sample staff accounts (dev passwords) — embedded profile only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from backoffice.records.handoff.settings import get_handoff_settings
from backoffice.staff.models import AGENT, SUPERVISOR, StaffUser
from backoffice.staff.passwords import hash_password, verify_password
from backoffice.staff.service import staff_by_username
from core.settings import get_settings


def load_seed_staff(path: Path) -> list[dict[str, Any]]:
    """The staff rows of the seed file."""
    with path.open(encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = yaml.safe_load(handle)["staff"]
    return rows


def upsert_staff(*, session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert or update staff by username (a password is re-hashed only when it changed)."""
    for row in rows:
        role = str(row.get("role", AGENT))
        if role not in (AGENT, SUPERVISOR):
            raise ValueError(f"staff {row['username']}: unknown role {role}")
        staff = staff_by_username(session=session, username=str(row["username"]))
        if staff is None:
            staff = StaffUser(username=str(row["username"]), session_epoch=0, active=True)
            session.add(staff)
        staff.display_name = str(row["display_name"])
        staff.role = role
        password = str(row["password"])
        if not staff.password_hash or not verify_password(password, staff.password_hash):
            staff.password_hash = hash_password(password)
    session.commit()
    return len(rows)


def seed(session: Session) -> str:
    """Sample staff for development; skipped in the production profile."""
    if get_settings().profile == "production":
        return "handoff staff: skipped (production profile: create accounts with staff_cli)"
    rows = load_seed_staff(get_handoff_settings().seed_staff_file)
    return f"handoff staff: {upsert_staff(session=session, rows=rows)} (dev passwords)"
