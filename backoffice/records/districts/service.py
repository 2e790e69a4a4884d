"""District queries and seeding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.records.districts.models import District


def list_districts(*, session: Session) -> list[District]:
    """All districts, in the order the city lists them."""
    return list(session.scalars(select(District).order_by(District.id)))


def upsert_districts(*, session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update districts by code; returns how many rows were written."""
    existing = {d.code: d for d in session.scalars(select(District))}
    count = 0
    for row in rows:
        district = existing.get(row["code"]) or District(code=row["code"])
        district.name = row["name"]
        district.short_name = row["short_name"]
        district.kind = row["kind"]
        district.assistance_tier = row["tier"]
        session.add(district)
        count += 1
    session.commit()
    return count
