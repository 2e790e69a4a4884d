"""Marriage-registration offices: list, find, seed, and which other office is nearest."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.db import upsert_by_code
from backoffice.records.marriage.models import MarriageOffice
from backoffice.records.marriage.refusals import refusal
from zhtext.streets import default_place_table, distance_km

CITY_LEVEL = "city"


def list_offices(*, session: Session) -> list[MarriageOffice]:
    """All offices, the municipal one first."""
    return list(session.scalars(select(MarriageOffice).order_by(MarriageOffice.sort_order)))


def get_office(*, session: Session, code: str) -> MarriageOffice:
    """The office with this code.

    Raises:
        ApiError: `unknown_office` (404).
    """
    office = session.scalar(select(MarriageOffice).where(MarriageOffice.code == code))
    if office is None:
        raise refusal("unknown_office", 404)
    return office


def upsert_offices(*, session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update offices by code; returns how many rows were written."""
    return upsert_by_code(session, MarriageOffice, rows, _fill_office)


def _fill_office(office: MarriageOffice, row: Mapping[str, Any]) -> None:
    office.name = row["name"]
    office.district_code = row["district_code"]
    office.level = row["level"]
    office.address = row["address"]
    office.phone = str(row["phone"])
    office.hours = row["hours"]
    office.capacity_am = int(row["capacity_am"])
    office.capacity_pm = int(row["capacity_pm"])
    office.keywords = [str(k) for k in row.get("keywords", [])]
    office.sample = bool(row.get("sample", True))
    office.sort_order = int(row.get("sort_order", 0))


def nearest_first(office: MarriageOffice) -> Callable[[MarriageOffice], tuple[bool, float, int]]:
    """Sort key of other offices: nearest district centre to `office`'s first, the city one last.

    An 淳安 citizen whose day is full is offered 建德 and 桐庐 before 上城.
    """
    centres = default_place_table()
    here = centres.centre(office.district_code)

    def key(other: MarriageOffice) -> tuple[bool, float, int]:
        distance = distance_km(*here, *centres.centre(other.district_code))
        return (other.level == CITY_LEVEL, round(distance, 1), other.sort_order)

    return key
