"""Eldercare facilities: find one, what needs it meets, staff updates, seeding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.db import upsert_by_code
from backoffice.records.eldercare.models import EldercareFacility
from backoffice.records.eldercare.refusals import refusal
from backoffice.records.eldercare.schemas import Need

NEED_FLAGS: Mapping[Need, str] = {
    "disabled": "serves_disabled",
    "semi_disabled": "serves_semi_disabled",
    "dementia": "dementia_care",
    "meals": "offers_meals",
    "day_care": "offers_day_care",
    "short_stay": "offers_short_stay",
}


def facility_needs(facility: EldercareFacility) -> list[Need]:
    """The needs a facility meets, in the order of ``Need``."""
    return [need for need, flag in NEED_FLAGS.items() if getattr(facility, flag)]


def get_facility(*, session: Session, code: str) -> EldercareFacility:
    """The facility with this code.

    Raises:
        ApiError: ``facility_not_found`` (404).
    """
    facility = session.scalar(select(EldercareFacility).where(EldercareFacility.code == code))
    if facility is None:
        raise refusal("facility_not_found", 404)
    return facility


def update_facility(
    *,
    session: Session,
    code: str,
    vacancies: int | None = None,
    price_min: int | None = None,
    price_max: int | None = None,
    meal_price: int | None = None,
) -> EldercareFacility:
    """Change a facility's vacancies and prices (None: leave as it is), checked together.

    Raises:
        ApiError: ``facility_not_found`` (404), ``vacancies_not_counted`` (a canteen),
            ``vacancies_above_beds``, ``price_incomplete`` or ``price_range_invalid`` (422).
    """
    # Locked for the check and the write: two staff changing min and max at once cannot leave
    # the minimum above the maximum (PostgreSQL; SQLite writes one at a time anyway).
    facility = session.scalar(
        select(EldercareFacility).where(EldercareFacility.code == code).with_for_update()
    )
    if facility is None:
        raise refusal("facility_not_found", 404)
    new_min = facility.price_min if price_min is None else price_min
    new_max = facility.price_max if price_max is None else price_max
    if vacancies is not None:
        if facility.kind == "canteen":
            raise refusal("vacancies_not_counted")
        if facility.total_beds is not None and vacancies > facility.total_beds:
            raise refusal("vacancies_above_beds")
    if (new_min is None) != (new_max is None):
        raise refusal("price_incomplete")
    if new_min is not None and new_max is not None and new_min > new_max:
        raise refusal("price_range_invalid")
    changes = {
        "vacancies": vacancies,
        "price_min": price_min,
        "price_max": price_max,
        "meal_price": meal_price,
    }
    for name, value in changes.items():
        if value is not None:
            setattr(facility, name, value)
    session.commit()
    session.refresh(facility)
    return facility


def upsert_facilities(*, session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update facilities by code; returns how many rows were written."""
    return upsert_by_code(session, EldercareFacility, rows, _fill_facility)


def _fill_facility(facility: EldercareFacility, row: Mapping[str, Any]) -> None:
    for key, value in row.items():
        setattr(facility, key, value)
