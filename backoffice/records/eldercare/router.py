"""HTTP routes of the eldercare records: search, facility details, visit bookings.

The action server calls the routes under ``/api/eldercare`` with the service token; staff call
those under ``/api/eldercare/staff`` with their console session (a day's visits per facility,
vacancies and prices).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from backoffice.db import DbSession
from backoffice.lookup_guard import guarded_lookup
from backoffice.records.eldercare import facilities, mapping, search, visits
from backoffice.records.eldercare.schemas import (
    Availability,
    FacilityOut,
    FacilityUpdate,
    SearchQuery,
    SearchResult,
    StaffVisitList,
    VisitCreate,
    VisitOut,
    VisitProof,
)
from backoffice.records.routes import Today, caller_routers, phone_key, refusals

router = APIRouter(prefix="/api/eldercare", tags=["eldercare"])
service_router, staff_router = caller_routers()
ERRORS = refusals(401, 404, 422)


@service_router.post("/search", response_model=SearchResult)
def post_search(query: SearchQuery, session: DbSession) -> SearchResult:
    """Facilities matching the query, nearest first, with what to relax when none match."""
    return mapping.search_result_out(search.search_facilities(session=session, query=query))


@service_router.get("/facilities/{code}", response_model=FacilityOut)
def get_facility(code: str, session: DbSession) -> FacilityOut:
    """One facility's details."""
    return mapping.facility_out(facilities.get_facility(session=session, code=code))


@service_router.get("/facilities/{code}/availability", response_model=Availability)
def get_availability(
    code: str, session: DbSession, today: Today, visit_date: Annotated[dt.date, Query()]
) -> Availability:
    """Free visit places in the morning and afternoon of one day."""
    places = visits.visit_availability(
        session=session, code=code, visit_date=visit_date, today=today
    )
    return mapping.availability_out(places)


@service_router.post("/visits", response_model=VisitOut, status_code=status.HTTP_201_CREATED)
def post_visit(
    request: VisitCreate, session: DbSession, today: Today, response: Response
) -> VisitOut:
    """Book a visit (201); the same booking again returns the existing one (200)."""
    visit, created = visits.book_visit(
        session=session,
        facility_code=request.facility_code,
        visit_date=request.visit_date,
        half_day=request.half_day,
        visitor_name=request.visitor_name,
        phone=request.phone,
        conversation_id=request.conversation_id,
        today=today,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return mapping.visit_out(visit, created=created)


def _guard_keys(reference: str, proof: VisitProof) -> tuple[str, str]:
    """Attempt-limit keys of a look-up or cancel: the reference and the phone, whoever asks.

    A conversation id is the caller's own choice (a guesser takes a new one per guess), so it is
    no key; a blocked reference can neither be read nor cancelled until the window has passed
    (the family is told to call the hotline, as for marriage and donation).
    """
    return (
        f"eldercare:reference:{reference.strip().upper()}",
        f"eldercare:phone:{phone_key(proof.phone)}",
    )


@service_router.post("/visits/{reference}/lookup", response_model=VisitOut)
def post_lookup(reference: str, proof: VisitProof, session: DbSession) -> VisitOut:
    """A visit (proved by the phone it was booked with), read back masked before cancelling."""
    found = guarded_lookup(
        _guard_keys(reference, proof),
        lambda: visits.find_visit(session=session, reference=reference, phone=proof.phone),
        is_miss=lambda _error: True,
    )
    return mapping.visit_out(found)


@service_router.post("/visits/{reference}/cancel", response_model=VisitOut)
def post_cancel(reference: str, proof: VisitProof, session: DbSession) -> VisitOut:
    """Cancel a visit (proved by the phone it was booked with) and free its place."""
    cancelled = guarded_lookup(
        _guard_keys(reference, proof),
        lambda: visits.cancel_visit(session=session, reference=reference, phone=proof.phone),
        is_miss=lambda error: error.code == "visit_not_found",
    )
    return mapping.visit_out(cancelled)


# ---------------------------------------------------------------- staff


@staff_router.get("/facilities/{code}/visits", response_model=StaffVisitList, responses=ERRORS)
def get_staff_visits(
    code: str, session: DbSession, visit_date: Annotated[dt.date, Query()]
) -> StaffVisitList:
    """The visits booked at one facility on one day (cancelled ones too), names masked."""
    facility = facilities.get_facility(session=session, code=code)
    day_visits = visits.visits_on(session=session, code=code, visit_date=visit_date)
    return mapping.staff_visit_list_out(facility, visit_date, day_visits)


@staff_router.patch("/facilities/{code}", response_model=FacilityOut, responses=ERRORS)
def patch_facility(code: str, update: FacilityUpdate, session: DbSession) -> FacilityOut:
    """Staff update a facility's vacancies and monthly / meal prices (only the fields sent)."""
    facility = facilities.update_facility(
        session=session,
        code=code,
        vacancies=update.vacancies,
        price_min=update.price_min,
        price_max=update.price_max,
        meal_price=update.meal_price,
    )
    return mapping.facility_out(facility)


router.include_router(service_router)
router.include_router(staff_router)
