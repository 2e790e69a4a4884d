"""API shapes of the donation records. Amounts travel as yuan with at most two decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Yuan = Decimal
ReceiptKind = Literal["person", "company"]
PledgeStatus = Literal["pending", "paid", "receipt_issued", "cancelled"]


class ThemeOut(BaseModel):
    """A project theme (助学 …)."""

    code: str
    name: str


class ProjectOut(BaseModel):
    """A charity project with its progress."""

    code: str
    name: str
    theme: str
    theme_name: str
    general_fund: bool
    organiser: str
    description: str
    target: Yuan | None
    raised: Yuan
    progress_percent: int | None = Field(description="raised / target, rounded down; capped at 999")
    status: str
    fundraising_record_no: str
    recommended: bool
    sample: bool


class AmountPolicyOut(BaseModel):
    """The pledge bounds and payment text the assistant shows (from the policy file)."""

    minimum: Yuan
    staff_confirmation_above: Yuan
    payment_channels: str
    never_ask: str
    sample: bool
    updated: dt.date


class PledgeIn(BaseModel):
    """A new money pledge as the assistant (or a staff form) submits it."""

    model_config = ConfigDict(str_strip_whitespace=True)

    project_code: str = Field(min_length=1, max_length=64)
    amount: Yuan = Field(gt=0, max_digits=14, decimal_places=2)
    anonymous: bool = False
    donor_name: str | None = Field(default=None, max_length=64)
    receipt_wanted: bool = False
    receipt_kind: ReceiptKind | None = None
    receipt_title: str | None = Field(default=None, max_length=100)
    receipt_tax_id: str | None = Field(default=None, max_length=40)
    contact_phone: str = Field(min_length=1, max_length=40)
    conversation_id: str | None = Field(default=None, max_length=64)


class PledgeCreatedOut(BaseModel):
    """What the citizen needs after pledging: the reference and how to pay."""

    reference: str
    project_code: str
    project_name: str
    amount: Yuan
    status: PledgeStatus
    payment_channels: str
    never_ask: str


class PledgeLookupIn(BaseModel):
    """Both the reference and the contact phone are needed to see a pledge."""

    model_config = ConfigDict(str_strip_whitespace=True)

    reference: str = Field(min_length=1, max_length=40)
    contact_phone: str = Field(min_length=1, max_length=40)


class PledgeOut(BaseModel):
    """A pledge as shown back to the citizen: personal data masked."""

    reference: str
    project_code: str
    project_name: str
    amount: Yuan
    status: PledgeStatus
    status_name: str
    anonymous: bool
    donor_name_masked: str | None
    receipt_wanted: bool
    receipt_kind: ReceiptKind | None
    receipt_title: str | None
    receipt_tax_id_masked: str | None
    contact_phone_masked: str
    created_at: dt.datetime
    paid_at: dt.datetime | None
    receipt_issued_at: dt.datetime | None


class PaymentConfirmationIn(BaseModel):
    """The payment side's notice that a pledge was paid."""

    model_config = ConfigDict(str_strip_whitespace=True)

    reference: str = Field(min_length=1, max_length=40)
    amount: Yuan = Field(gt=0, max_digits=14, decimal_places=2)
    transaction_id: str = Field(min_length=1, max_length=64)
    paid_at: dt.datetime | None = None


class PaymentConfirmationOut(BaseModel):
    """Outcome of a confirmation; `already_confirmed` is true for a repeated notice."""

    reference: str
    status: PledgeStatus
    already_confirmed: bool
    project_code: str
    project_raised: Yuan


class GoodsCategoryOut(BaseModel):
    """A kind of goods that is accepted."""

    code: str
    name: str
    note: str


class DropOffPointOut(BaseModel):
    """A drop-off point for goods."""

    code: str
    name: str
    district: str
    address: str
    hours: str
    categories: list[str]
    sample: bool


class GoodsInfoOut(BaseModel):
    """What goods are accepted and where to bring them."""

    categories: list[GoodsCategoryOut]
    not_accepted: str
    where_to_give: str
    points: list[DropOffPointOut]


class GoodsPledgeIn(BaseModel):
    """A promise to bring goods to a drop-off point."""

    model_config = ConfigDict(str_strip_whitespace=True)

    category: str = Field(min_length=1, max_length=32)
    description: str = Field(default="", max_length=200)
    dropoff_point: str = Field(min_length=1, max_length=64)
    donor_name: str | None = Field(default=None, max_length=64)
    contact_phone: str = Field(min_length=1, max_length=40)


class GoodsPledgeOut(BaseModel):
    """A recorded goods pledge."""

    reference: str
    category: str
    category_name: str
    description: str
    dropoff_point: DropOffPointOut
    status: str
