"""District queries and seeding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.db import upsert_by_code
from backoffice.records.districts.models import District


def list_districts(*, session: Session) -> list[District]:
    """All districts, in the order the city lists them."""
    return list(session.scalars(select(District).order_by(District.id)))


def upsert_districts(*, session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update districts by code; returns how many rows were written."""
    return upsert_by_code(session, District, rows, _fill_district)


def _fill_district(district: District, row: Mapping[str, Any]) -> None:
    district.name = row["name"]
    district.short_name = row["short_name"]
    district.kind = row["kind"]
    district.assistance_tier = row["tier"]
