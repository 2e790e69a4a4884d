"""What the records' routers share: their two callers, today's date, refusals, look-up keys."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from backoffice.service_auth import ServiceOnly
from backoffice.staff.access import require_staff
from zhtext.city_time import city_today
from zhtext.phone import parse_phone

Today = Annotated[dt.date, Depends(city_today)]


def caller_routers() -> tuple[APIRouter, APIRouter]:
    """What the action server calls (service token) and what staff call (`/staff`, staff login).

    Include both into the feature's router after its routes are declared.
    """
    return (
        APIRouter(dependencies=[ServiceOnly]),
        APIRouter(prefix="/staff", dependencies=[Depends(require_staff)]),
    )


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a route's refusals (`{"error": {"code", "message"}}`)."""
    return {status: {"description": "refused, with a Chinese message"} for status in statuses}


def phone_key(phone: str) -> str:
    """A phone as an attempt-limit key (backoffice/lookup_guard): its number, or as written."""
    return parse_phone(phone).number or phone.strip()
