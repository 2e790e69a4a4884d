"""HTTP routes for charity donations (`/api/donation`).

Public to the assistant: projects, themes, policy, pledges (create, look up with reference +
phone, cancel), goods. Signed (see `auth.py`): payment confirmation and receipt issuance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from backoffice.db import DbSession
from backoffice.lookup_guard import guarded_lookup
from backoffice.records.donation import (
    goods,
    mapping,
    payments,
    pledge_references,
    pledges,
    projects,
)
from backoffice.records.donation.auth import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from backoffice.records.donation.models import DonationPledge
from backoffice.records.donation.policy import DonationPolicy, get_policy
from backoffice.records.donation.schemas import (
    AmountPolicyOut,
    GoodsInfoOut,
    GoodsPledgeIn,
    GoodsPledgeOut,
    PaymentConfirmationIn,
    PaymentConfirmationOut,
    PledgeCreatedOut,
    PledgeIn,
    PledgeLookupIn,
    PledgeOut,
    ProjectOut,
    ThemeOut,
)
from backoffice.records.donation.settings import DonationSettings, get_donation_settings
from backoffice.service_auth import ServiceOnly
from core.errors import ApiError
from zhtext.phone import parse_phone

router = APIRouter(prefix="/api/donation", tags=["donation"])
Model = TypeVar("Model", bound=BaseModel)

Policy = Annotated[DonationPolicy, Depends(get_policy)]
Settings = Annotated[DonationSettings, Depends(get_donation_settings)]
# The signed body is read raw (the signature covers its bytes), so FastAPI cannot describe it:
# the schema is given here for the OpenAPI document (and fuzzers reading it).
_SIGNED_BODY_DOCS = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": PaymentConfirmationIn.model_json_schema()}},
    }
}
_SIGNED_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "signature missing, expired or wrong (a Chinese message)"},
    503: {"description": "payment_not_configured: no usable DONATION_PAYMENT_SECRET is set"},
}


def _lookup_keys(lookup: PledgeLookupIn) -> tuple[str, str]:
    """Attempt-limit keys of a look-up: the reference and the phone (backoffice/lookup_guard)."""
    reference = pledge_references.normalise_reference(lookup.reference) or lookup.reference.upper()
    phone = parse_phone(lookup.contact_phone).number or lookup.contact_phone
    return f"donation:reference:{reference}", f"donation:phone:{phone}"


def _guarded(
    session: Session, lookup: PledgeLookupIn, attempt: Callable[..., DonationPledge]
) -> DonationPledge:
    """Run a look-up or cancel proved by reference + phone under the attempt limit.

    A wrong phone and an unknown reference both answer `pledge_not_found`, and both count as a
    miss against the reference and the phone (backoffice/lookup_guard).
    """
    return guarded_lookup(
        _lookup_keys(lookup),
        lambda: attempt(
            session=session, reference=lookup.reference, contact_phone=lookup.contact_phone
        ),
        is_miss=lambda error: error.code == "pledge_not_found",
    )


def _invalid(error: ValidationError) -> ApiError:
    fields = sorted({".".join(str(p) for p in item.get("loc", ())) for item in error.errors()})
    return ApiError(422, "invalid_request", "、".join(fields) or "body")


async def _signed_body(request: Request, settings: DonationSettings, model: type[Model]) -> Model:
    """Verify the signature first, then parse the body (unsigned callers learn nothing)."""
    body = await request.body()
    verify_signature(
        settings=settings,
        timestamp=request.headers.get(TIMESTAMP_HEADER),
        signature=request.headers.get(SIGNATURE_HEADER),
        body=body,
    )
    return model.model_validate_json(body)


@router.get("/themes", response_model=list[ThemeOut], dependencies=[ServiceOnly])
def get_themes() -> list[ThemeOut]:
    """Project themes (助学, 助老 …)."""
    return mapping.themes_out()


@router.get("/projects", response_model=list[ProjectOut], dependencies=[ServiceOnly])
def get_projects(
    session: DbSession,
    theme: Annotated[str | None, Query(max_length=32)] = None,
    recommended: bool = False,
) -> list[ProjectOut]:
    """Projects open for donation, by theme or only the recommended ones, with progress."""
    found = projects.list_projects(session=session, theme=theme, recommended=recommended)
    return [mapping.project_out(p) for p in found]


@router.get("/projects/{code}", response_model=ProjectOut, dependencies=[ServiceOnly])
def get_project(session: DbSession, code: str) -> ProjectOut:
    """One project with its details and progress."""
    return mapping.project_out(projects.get_project(session=session, code=code))


@router.get("/policy", response_model=AmountPolicyOut, dependencies=[ServiceOnly])
def get_amount_policy(policy: Policy) -> AmountPolicyOut:
    """Pledge bounds and the official payment channels (from knowledge/policies/donation.yml)."""
    return mapping.amount_policy_out(policy)


@router.post(
    "/pledges", response_model=PledgeCreatedOut, status_code=201, dependencies=[ServiceOnly]
)
def post_pledge(session: DbSession, policy: Policy, pledge: PledgeIn) -> PledgeCreatedOut:
    """Record a money pledge; answers with the reference and how to pay."""
    created = pledges.create_pledge(session=session, pledge=pledge, policy=policy)
    return mapping.pledge_created_out(created, policy)


@router.post("/pledges/lookup", response_model=PledgeOut, dependencies=[ServiceOnly])
def lookup_pledge(session: DbSession, lookup: PledgeLookupIn) -> PledgeOut:
    """A pledge by reference plus contact phone (both needed), with personal data masked."""
    return mapping.pledge_out(_guarded(session, lookup, pledges.find_pledge))


@router.post("/pledges/cancel", response_model=PledgeOut, dependencies=[ServiceOnly])
def cancel_pledge(session: DbSession, lookup: PledgeLookupIn) -> PledgeOut:
    """Cancel a pledge that is not paid yet (reference plus contact phone)."""
    return mapping.pledge_out(_guarded(session, lookup, pledges.cancel_pledge))


@router.post(
    "/payments/confirm",
    response_model=PaymentConfirmationOut,
    openapi_extra=_SIGNED_BODY_DOCS,
    responses=_SIGNED_REFUSALS,
)
async def confirm_payment(
    request: Request, session: DbSession, settings: Settings
) -> PaymentConfirmationOut:
    """The payment side confirms a pledge was paid (signed; idempotent per transaction id)."""
    try:
        confirmation = await _signed_body(request, settings, PaymentConfirmationIn)
    except ValidationError as error:
        raise _invalid(error) from error
    outcome = payments.confirm_payment(session=session, confirmation=confirmation)
    return mapping.payment_confirmation_out(outcome)


@router.post("/pledges/{reference}/receipt", response_model=PledgeOut, responses=_SIGNED_REFUSALS)
async def issue_receipt(
    request: Request, session: DbSession, settings: Settings, reference: str
) -> PledgeOut:
    """The charity's system records that the donation receipt was issued (signed)."""
    verify_signature(
        settings=settings,
        timestamp=request.headers.get(TIMESTAMP_HEADER),
        signature=request.headers.get(SIGNATURE_HEADER),
        body=await request.body(),
    )
    pledge = payments.mark_receipt_issued(session=session, reference=reference)
    return mapping.pledge_out(pledge)


@router.get("/goods", response_model=GoodsInfoOut, dependencies=[ServiceOnly])
def get_goods(
    session: DbSession, category: Annotated[str | None, Query(max_length=32)] = None
) -> GoodsInfoOut:
    """Accepted goods categories and drop-off points with opening hours."""
    return mapping.goods_info_out(goods.dropoff_points(session=session, category=category))


@router.post(
    "/goods/pledges",
    response_model=GoodsPledgeOut,
    status_code=201,
    dependencies=[ServiceOnly],
)
def post_goods_pledge(session: DbSession, pledge: GoodsPledgeIn) -> GoodsPledgeOut:
    """Record a promise to bring goods to a drop-off point."""
    created = goods.create_goods_pledge(session=session, pledge=pledge)
    return mapping.goods_pledge_out(created)
