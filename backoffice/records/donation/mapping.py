"""Records and policy → the API's schemas (used by the routes); personal data is masked here."""

from __future__ import annotations

from typing import Any, cast

from backoffice.records.donation.catalogue import Catalogue, get_catalogue
from backoffice.records.donation.models import (
    CharityProject,
    DonationPledge,
    GoodsDropOffPoint,
    GoodsPledge,
)
from backoffice.records.donation.money import progress_percent, to_yuan
from backoffice.records.donation.payments import PaymentOutcome
from backoffice.records.donation.policy import DonationPolicy
from backoffice.records.donation.schemas import (
    AmountPolicyOut,
    DropOffPointOut,
    GoodsCategoryOut,
    GoodsInfoOut,
    GoodsPledgeOut,
    PaymentConfirmationOut,
    PledgeCreatedOut,
    PledgeOut,
    ProjectOut,
    ThemeOut,
)
from backoffice.records.donation.texts import text
from zhtext.credit_code import mask_credit_code
from zhtext.idcard import mask_id_number, mask_name, mask_phone


def themes_out(*, catalogue: Catalogue | None = None) -> list[ThemeOut]:
    """Project themes in the editors' order (the general fund's theme last)."""
    themes = (catalogue or get_catalogue()).themes
    return [ThemeOut(code=code, name=name) for code, name in themes.items()]


def project_out(project: CharityProject, *, catalogue: Catalogue | None = None) -> ProjectOut:
    """A project for the API, with its raised amount and progress."""
    themes = (catalogue or get_catalogue()).themes
    raised_fen = project.raised_offline_fen + project.raised_online_fen
    return ProjectOut(
        code=project.code,
        name=project.name,
        theme=project.theme,
        theme_name=themes.get(project.theme, project.theme),
        general_fund=project.general_fund,
        organiser=project.organiser,
        description=project.description,
        target=to_yuan(project.target_fen) if project.target_fen else None,
        raised=to_yuan(raised_fen),
        progress_percent=progress_percent(raised_fen, project.target_fen),
        status=project.status,
        fundraising_record_no=project.fundraising_record_no,
        recommended=project.recommended,
        sample=project.sample,
    )


def amount_policy_out(policy: DonationPolicy) -> AmountPolicyOut:
    """The parts of the policy the assistant needs."""
    return AmountPolicyOut(
        minimum=policy.amount.minimum_yuan,
        staff_confirmation_above=policy.amount.staff_confirmation_above_yuan,
        payment_channels=policy.payment.channels.strip(),
        never_ask=policy.payment.never_ask.strip(),
        sample=policy.sample,
        updated=policy.updated,
    )


def pledge_created_out(pledge: DonationPledge, policy: DonationPolicy) -> PledgeCreatedOut:
    """A new pledge's reference and how to pay it (the official channels only)."""
    return PledgeCreatedOut(
        reference=pledge.reference,
        project_code=pledge.project.code,
        project_name=pledge.project.name,
        amount=to_yuan(pledge.amount_fen),
        status="pending",
        payment_channels=policy.payment.channels.strip(),
        never_ask=policy.payment.never_ask.strip(),
    )


def pledge_out(pledge: DonationPledge) -> PledgeOut:
    """A pledge as the citizen may see it: name, ID and phone masked."""
    tax_id_masked: str | None = None
    if pledge.receipt_tax_id:
        tax_id_masked = (
            mask_id_number(pledge.receipt_tax_id)
            if pledge.receipt_kind == "person"
            else mask_credit_code(pledge.receipt_tax_id)
        )
    return PledgeOut(
        reference=pledge.reference,
        project_code=pledge.project.code,
        project_name=pledge.project.name,
        amount=to_yuan(pledge.amount_fen),
        status=cast(Any, pledge.status),
        status_name=text(f"status_{pledge.status}"),
        anonymous=pledge.anonymous,
        donor_name_masked=mask_name(pledge.donor_name) if pledge.donor_name else None,
        receipt_wanted=pledge.receipt_wanted,
        receipt_kind=cast(Any, pledge.receipt_kind),
        receipt_title=pledge.receipt_title,
        receipt_tax_id_masked=tax_id_masked,
        contact_phone_masked=mask_phone(pledge.contact_phone),
        created_at=pledge.created_at,
        paid_at=pledge.paid_at,
        receipt_issued_at=pledge.receipt_issued_at,
    )


def payment_confirmation_out(outcome: PaymentOutcome) -> PaymentConfirmationOut:
    """The pledge's status after a confirmation and its project's total raised."""
    project = outcome.pledge.project
    return PaymentConfirmationOut(
        reference=outcome.pledge.reference,
        status=cast(Any, outcome.pledge.status),
        already_confirmed=outcome.already_confirmed,
        project_code=project.code,
        project_raised=to_yuan(project.raised_offline_fen + project.raised_online_fen),
    )


def point_out(point: GoodsDropOffPoint) -> DropOffPointOut:
    """A drop-off point with its address, hours and the goods it takes."""
    return DropOffPointOut(
        code=point.code,
        name=point.name,
        district=point.district,
        address=point.address,
        hours=point.hours,
        categories=list(point.categories),
        sample=point.sample,
    )


def goods_info_out(
    points: list[GoodsDropOffPoint], *, catalogue: Catalogue | None = None
) -> GoodsInfoOut:
    """The accepted goods of the catalogue and the given drop-off points."""
    goods = (catalogue or get_catalogue()).goods
    return GoodsInfoOut(
        categories=[
            GoodsCategoryOut(code=c.code, name=c.name, note=c.note) for c in goods.categories
        ],
        not_accepted=goods.not_accepted,
        where_to_give=goods.where_to_give,
        points=[point_out(p) for p in points],
    )


def goods_pledge_out(pledge: GoodsPledge, *, catalogue: Catalogue | None = None) -> GoodsPledgeOut:
    """A goods pledge with its category's name and the drop-off point."""
    names = {c.code: c.name for c in (catalogue or get_catalogue()).goods.categories}
    return GoodsPledgeOut(
        reference=pledge.reference,
        category=pledge.category,
        category_name=names[pledge.category],
        description=pledge.description,
        dropoff_point=point_out(pledge.dropoff_point),
        status=pledge.status,
    )
