"""Typed back-office API: charity projects, pledges and goods donations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, TypeAdapter

from actions.clients.backoffice import BackofficeTransport, get_transport

PledgeStatus = Literal["pending", "paid", "receipt_issued", "cancelled"]


class Theme(BaseModel):
    """A project theme (助学 …)."""

    code: str
    name: str


class Project(BaseModel):
    """A charity project with its progress."""

    code: str
    name: str
    theme: str
    theme_name: str
    general_fund: bool
    organiser: str
    description: str
    target: Decimal | None
    raised: Decimal
    progress_percent: int | None
    status: str
    fundraising_record_no: str
    recommended: bool
    sample: bool


class DonationPolicy(BaseModel):
    """Pledge bounds and the official payment text."""

    minimum: Decimal
    staff_confirmation_above: Decimal
    payment_channels: str
    never_ask: str
    sample: bool
    updated: dt.date


class PledgeRequest(BaseModel):
    """A new money pledge."""

    project_code: str
    amount: Decimal
    anonymous: bool
    donor_name: str | None
    receipt_wanted: bool
    receipt_kind: Literal["person", "company"] | None = None
    receipt_title: str | None = None
    receipt_tax_id: str | None = None
    contact_phone: str
    conversation_id: str | None = None


class PledgeCreated(BaseModel):
    """The reference of a new pledge and how to pay it."""

    reference: str
    project_code: str
    project_name: str
    amount: Decimal
    status: PledgeStatus
    payment_channels: str
    never_ask: str


class Pledge(BaseModel):
    """A pledge as the citizen may see it (personal data masked)."""

    reference: str
    project_code: str
    project_name: str
    amount: Decimal
    status: PledgeStatus
    status_name: str
    anonymous: bool
    donor_name_masked: str | None
    receipt_wanted: bool
    receipt_kind: Literal["person", "company"] | None
    receipt_title: str | None
    receipt_tax_id_masked: str | None
    contact_phone_masked: str
    created_at: dt.datetime
    paid_at: dt.datetime | None
    receipt_issued_at: dt.datetime | None


class GoodsCategory(BaseModel):
    """A kind of goods that is accepted."""

    code: str
    name: str
    note: str


class GoodsInfo(BaseModel):
    """Accepted goods and where to give them (the back office's drop-off points are not shown)."""

    categories: list[GoodsCategory]
    not_accepted: str
    where_to_give: str


_THEMES = TypeAdapter(list[Theme])
_PROJECTS = TypeAdapter(list[Project])


class DonationApi:
    """Charity projects, pledges and goods donations in the back office."""

    def __init__(self, transport: BackofficeTransport) -> None:
        self._transport = transport

    async def list_themes(self) -> list[Theme]:
        """Project themes in the editors' order."""
        return _THEMES.validate_json(await self._transport.get_reference("/api/donation/themes"))

    async def list_projects(
        self, *, theme: str | None = None, recommended: bool = False
    ) -> list[Project]:
        """Projects open for donation, optionally by theme or only the recommended ones."""
        params: dict[str, str] = {}
        if theme:
            params["theme"] = theme
        if recommended:
            params["recommended"] = "true"
        response = await self._transport.request("GET", "/api/donation/projects", params=params)
        return _PROJECTS.validate_json(response.content)

    async def get_project(self, code: str) -> Project:
        """One project (raises `BackofficeRejectedError` 404 when unknown)."""
        response = await self._transport.request("GET", f"/api/donation/projects/{code}")
        return Project.model_validate_json(response.content)

    async def get_policy(self) -> DonationPolicy:
        """Pledge bounds and payment channels."""
        return DonationPolicy.model_validate_json(
            await self._transport.get_reference("/api/donation/policy")
        )

    async def create_pledge(self, pledge: PledgeRequest) -> PledgeCreated:
        """Record a pledge (raises `BackofficeRejectedError` with the refusal code)."""
        response = await self._transport.request(
            "POST", "/api/donation/pledges", json=pledge.model_dump(mode="json")
        )
        return PledgeCreated.model_validate_json(response.content)

    async def lookup_pledge(self, *, reference: str, contact_phone: str) -> Pledge:
        """A pledge by reference plus phone (raises `BackofficeRejectedError` 404)."""
        response = await self._transport.request(
            "POST",
            "/api/donation/pledges/lookup",
            json={"reference": reference, "contact_phone": contact_phone},
        )
        return Pledge.model_validate_json(response.content)

    async def goods_info(self) -> GoodsInfo:
        """Accepted goods categories and where to give them."""
        return GoodsInfo.model_validate_json(
            await self._transport.get_reference("/api/donation/goods")
        )


@lru_cache(maxsize=1)
def get_donation_api() -> DonationApi:
    """The shared donation API of this process."""
    return DonationApi(get_transport())
