"""HTTP routes of the eldercare records: search, facility details, visit bookings."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import yaml
from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse

from backoffice.db import DbSession
from backoffice.lookup_guard import get_lookup_guard, too_many_attempts_response
from backoffice.records.eldercare import service
from backoffice.records.eldercare.models import EldercareVisit
from backoffice.records.eldercare.schemas import (
    Availability,
    FacilityOut,
    SearchQuery,
    SearchResult,
    VisitCancel,
    VisitCreate,
    VisitOut,
)
from backoffice.service_auth import ServiceOnly
from web.errors import error_response
from zhtext.idcard import mask_name
from zhtext.phone import parse_phone

router = APIRouter(prefix="/api/eldercare", tags=["eldercare"], dependencies=[ServiceOnly])

MESSAGES_FILE = Path(__file__).with_name("messages.yml")


def get_today() -> dt.date:
    """Today's date (a dependency, so tests can move the calendar)."""
    return dt.date.today()


Today = Annotated[dt.date, Depends(get_today)]


@lru_cache(maxsize=1)
def _messages() -> dict[str, str]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, str] = yaml.safe_load(handle)
    return data


def _refused(error: service.EldercareError) -> JSONResponse:
    return error_response(error.status_code, error.code, _messages().get(error.code, error.code))


def _visit_out(visit: EldercareVisit, *, created: bool = True) -> VisitOut:
    return VisitOut(
        reference=visit.reference,
        facility_code=visit.facility.code,
        facility_name=visit.facility.name,
        facility_address=visit.facility.address,
        facility_phone=visit.facility.phone,
        visit_date=visit.visit_date,
        half_day=visit.half_day,
        visitor_name_masked=mask_name(visit.visitor_name),
        phone_masked=service.masked_phone(visit),
        status=visit.status,
        created=created,
    )


@router.post("/search", response_model=SearchResult)
def post_search(query: SearchQuery, session: DbSession) -> SearchResult | JSONResponse:
    """Facilities matching the query, nearest first, with what to relax when none match."""
    try:
        return service.search_facilities(session=session, query=query)
    except service.EldercareError as error:
        return _refused(error)


@router.get("/facilities/{code}", response_model=FacilityOut)
def get_facility(code: str, session: DbSession) -> FacilityOut | JSONResponse:
    """One facility's details."""
    try:
        return service.to_out(service.get_facility(session=session, code=code))
    except service.EldercareError as error:
        return _refused(error)


@router.get("/facilities/{code}/availability", response_model=Availability)
def get_availability(
    code: str, session: DbSession, today: Today, visit_date: Annotated[dt.date, Query()]
) -> Availability | JSONResponse:
    """Free visit places in the morning and afternoon of one day."""
    try:
        return service.visit_availability(
            session=session, code=code, visit_date=visit_date, today=today
        )
    except service.EldercareError as error:
        return _refused(error)


@router.post("/visits", response_model=VisitOut, status_code=status.HTTP_201_CREATED)
def post_visit(
    request: VisitCreate, session: DbSession, today: Today, response: Response
) -> VisitOut | JSONResponse:
    """Book a visit (201); the same booking again returns the existing one (200)."""
    try:
        visit, created = service.book_visit(
            session=session,
            facility_code=request.facility_code,
            visit_date=request.visit_date,
            half_day=request.half_day,
            visitor_name=request.visitor_name,
            phone=request.phone,
            conversation_id=request.conversation_id,
            today=today,
        )
    except service.EldercareError as error:
        return _refused(error)
    if not created:
        response.status_code = status.HTTP_200_OK
    return _visit_out(visit, created=created)


@router.post("/visits/{reference}/cancel", response_model=VisitOut)
def post_cancel(
    reference: str, request: VisitCancel, session: DbSession
) -> VisitOut | JSONResponse:
    """Cancel a visit (proved by the phone it was booked with) and free its place."""
    guard = get_lookup_guard()
    phone = parse_phone(request.phone).number or request.phone
    keys = (f"eldercare:reference:{reference.strip().upper()}", f"eldercare:phone:{phone}")
    if guard.blocked(*keys):
        return too_many_attempts_response()
    try:
        visit = service.cancel_visit(session=session, reference=reference, phone=request.phone)
    except service.EldercareError as error:
        if error.code == "visit_not_found":
            guard.record_failure(*keys)
        return _refused(error)
    return _visit_out(visit)
