"""HTTP routes for districts."""

from __future__ import annotations

from fastapi import APIRouter

from backoffice.db import DbSession
from backoffice.records.districts import mapping, service
from backoffice.records.districts.schemas import DistrictOut
from backoffice.service_auth import ServiceOnly

router = APIRouter(prefix="/api/districts", tags=["districts"], dependencies=[ServiceOnly])


@router.get("", response_model=list[DistrictOut])
def get_districts(session: DbSession) -> list[DistrictOut]:
    """List the city's districts and counties."""
    return [mapping.district_out(d) for d in service.list_districts(session=session)]
