"""HTTP routes of the assistance pre-screen and the application status lookup."""

from __future__ import annotations

from fastapi import APIRouter

from backoffice.db import DbSession
from backoffice.lookup_guard import get_lookup_guard, too_many_attempts
from backoffice.records.prescreen import service
from backoffice.records.prescreen.mapping import application_status_out, check_out, prescreen_out
from backoffice.records.prescreen.policy import PolicyFileError, get_policy
from backoffice.records.prescreen.schemas import (
    ApplicationStatusOut,
    PrescreenCheckOut,
    PrescreenIn,
    PrescreenOut,
    StatusLookupIn,
)
from backoffice.records.prescreen.texts import text
from backoffice.service_auth import ServiceOnly
from core.errors import ApiError
from zhtext.city_time import city_today
from zhtext.idcard import normalise_id_number, validate_id_number
from zhtext.phone import parse_phone

router = APIRouter(prefix="/api/prescreen", tags=["prescreen"], dependencies=[ServiceOnly])
# The code these refusals have always answered with (what core.errors gives an HTTPException).
HTTP_ERROR = "http_error"


@router.post("", response_model=PrescreenOut)
def post_prescreen(body: PrescreenIn, session: DbSession) -> PrescreenOut:
    """Pre-screen a household against the policy in force on `as_of` (default today); logged."""
    try:
        policy = get_policy()
    except PolicyFileError as error:
        raise ApiError(503, HTTP_ERROR, text("policy_unavailable")) from error
    try:
        run = service.run_prescreen(
            session=session,
            policy=policy,
            facts=body.facts,
            as_of=body.as_of or city_today(),
            conversation_id=body.conversation_id,
        )
    except service.UnknownDistrictError as error:
        raise ApiError(422, HTTP_ERROR, text("unknown_district", district=error)) from error
    return prescreen_out(run)


@router.get("/checks/{reference}", response_model=PrescreenCheckOut)
def get_prescreen_check(reference: str, session: DbSession) -> PrescreenCheckOut:
    """A logged pre-screen (for staff and the handoff summary)."""
    check = service.get_check(session=session, reference=reference)
    if check is None:
        raise ApiError(404, "prescreen_check_not_found", text("check_not_found"))
    return check_out(check)


@router.post("/applications/lookup", response_model=ApplicationStatusOut)
def lookup_application(body: StatusLookupIn, session: DbSession) -> ApplicationStatusOut:
    """The stage of an application; needs the identity number and the phone together."""
    if not validate_id_number(body.id_number).valid:
        raise ApiError(422, HTTP_ERROR, text("invalid_id_number"))
    if not parse_phone(body.phone).valid:
        raise ApiError(422, HTTP_ERROR, text("invalid_phone"))
    guard = get_lookup_guard()
    keys = (
        f"prescreen:id:{normalise_id_number(body.id_number)}",
        f"prescreen:phone:{parse_phone(body.phone).number}",
    )
    if guard.blocked(*keys):
        raise too_many_attempts()
    application = service.lookup_application(
        session=session, id_number=body.id_number, phone=body.phone
    )
    if application is None:
        guard.record_failure(*keys)
        # The same answer whether the number is unknown or the phone does not match.
        raise ApiError(404, "application_not_found", text("application_not_found"))
    return application_status_out(application)
