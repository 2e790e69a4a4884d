"""Donation records: projects, money pledges, payment confirmation, goods pledges.

Invariant: a project's ``raised_online_fen`` always equals the sum of its paid (or receipted)
pledges. The only code that changes it is :func:`confirm_payment`, which flips the pledge from
``pending`` to ``paid`` with a conditional UPDATE and, only when that UPDATE matched a row, adds
the amount in the same transaction (``raised_online_fen = raised_online_fen + :fen``).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import unicodedata
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import CursorResult, Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.records.donation.catalogue import Catalogue, get_catalogue
from backoffice.records.donation.models import (
    CharityProject,
    DonationPledge,
    DonationReferenceCounter,
    GoodsDropOffPoint,
    GoodsPledge,
)
from backoffice.records.donation.policy import DonationPolicy
from backoffice.records.donation.schemas import (
    AmountPolicyOut,
    DropOffPointOut,
    GoodsCategoryOut,
    GoodsInfoOut,
    GoodsPledgeIn,
    GoodsPledgeOut,
    PaymentConfirmationIn,
    PaymentConfirmationOut,
    PledgeCreatedOut,
    PledgeIn,
    PledgeOut,
    ProjectOut,
    ThemeOut,
)
from backoffice.records.donation.texts import text
from backoffice.references import format_reference, next_number
from core.errors import ApiError
from zhtext.city_time import CITY_TIMEZONE
from zhtext.credit_code import mask_credit_code, validate_credit_code
from zhtext.idcard import mask_id_number, mask_name, mask_phone, validate_id_number
from zhtext.phone import parse_phone

MONEY_PREFIX = "CS"
GOODS_PREFIX = "CW"
_REFERENCE = re.compile(r"(CS|CW)-?(\d{8})-?(\d{4,6})")
_FEN = Decimal(100)
_MAX_PERCENT = 999


def _error(status_code: int, code: str, **values: object) -> ApiError:
    return ApiError(status_code, code, text(code, **values))


# --- amounts -------------------------------------------------------------------------------


def to_fen(amount: Decimal) -> int:
    """Yuan → fen; refuses fractions of a fen.

    Raises:
        ApiError: 422 ``amount_invalid`` for NaN, infinities or more than two decimals.
    """
    try:
        fen = amount * _FEN
        if not fen.is_finite() or fen != fen.to_integral_value():
            raise _error(422, "amount_invalid")
        return int(fen)
    except InvalidOperation as error:
        raise _error(422, "amount_invalid") from error


def to_yuan(fen: int) -> Decimal:
    """Fen → yuan with two decimals."""
    return (Decimal(fen) / _FEN).quantize(Decimal("0.01"))


def format_yuan(amount: Decimal) -> str:
    """A plain amount for messages: 200 → "200", 1.5 → "1.50"."""
    if amount == amount.to_integral_value():
        return str(int(amount))
    return str(amount.quantize(Decimal("0.01")))


def progress_percent(raised_fen: int, target_fen: int | None) -> int | None:
    """Whole percent raised of the target (rounded down, capped); None without a target."""
    if not target_fen:
        return None
    percent = (Decimal(raised_fen) * 100 / Decimal(target_fen)).to_integral_value(ROUND_DOWN)
    return min(int(percent), _MAX_PERCENT)


# --- references ----------------------------------------------------------------------------


def normalise_reference(value: str) -> str | None:
    """Canonical reference ("cs 20261128 0001" → "CS-20261128-0001"), or None if malformed."""
    cleaned = re.sub(r"[\s_.·—–]", "", unicodedata.normalize("NFKC", value)).upper()
    match = _REFERENCE.fullmatch(cleaned)
    if match is None:
        return None
    prefix, day, number = match.groups()
    return f"{prefix}-{day}-{int(number):04d}"


def _next_reference(session: Session, prefix: str, now: dt.datetime) -> str:
    """Allocate the day's next number for `prefix` (atomic, in the caller's transaction)."""
    day = now.astimezone(CITY_TIMEZONE).date()
    number = next_number(session, DonationReferenceCounter, key=f"{prefix}-{day:%Y%m%d}")
    return format_reference(prefix, day, number)


# --- projects ------------------------------------------------------------------------------


def list_themes(*, catalogue: Catalogue | None = None) -> list[ThemeOut]:
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


def list_projects(
    *,
    session: Session,
    theme: str | None = None,
    recommended: bool = False,
    include_inactive: bool = False,
) -> list[CharityProject]:
    """Projects open for donation (optionally by theme, or only recommended ones).

    The general fund is listed only when no theme is asked for (or theme ``general``).
    """
    query: Select[tuple[CharityProject]] = select(CharityProject)
    if not include_inactive:
        query = query.where(CharityProject.status == "active")
    if theme:
        query = query.where(CharityProject.theme == theme)
    if recommended:
        query = query.where(CharityProject.recommended.is_(True))
    query = query.order_by(CharityProject.sort_order, CharityProject.id)
    return list(session.scalars(query))


def get_project(*, session: Session, code: str) -> CharityProject:
    """One project by code.

    Raises:
        ApiError: 404 when there is none.
    """
    project = session.scalar(select(CharityProject).where(CharityProject.code == code))
    if project is None:
        raise _error(404, "project_not_found")
    return project


def upsert_projects(*, session: Session, catalogue: Catalogue) -> int:
    """Insert or update the projects by code; never touches the amounts raised online."""
    existing = {p.code: p for p in session.scalars(select(CharityProject))}
    for order, row in enumerate(catalogue.projects):
        project = existing.get(row.code) or CharityProject(code=row.code, raised_online_fen=0)
        project.name = row.name
        project.theme = row.theme
        project.general_fund = row.general_fund
        project.organiser = row.organiser
        project.description = row.description
        project.target_fen = to_fen(row.target_yuan) if row.target_yuan is not None else None
        project.raised_offline_fen = to_fen(row.raised_offline_yuan)
        project.status = row.status
        project.fundraising_record_no = row.fundraising_record_no
        project.recommended = row.recommended
        project.sort_order = order
        project.sample = catalogue.sample
        session.add(project)
    session.commit()
    return len(catalogue.projects)


# --- pledges -------------------------------------------------------------------------------


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


def check_amount(amount: Decimal, policy: DonationPolicy) -> int:
    """The amount in fen when it is within the online bounds.

    Raises:
        ApiError: 422 ``amount_invalid`` / ``amount_too_small`` / ``amount_needs_staff``.
    """
    fen = to_fen(amount)
    if amount < policy.amount.minimum_yuan:
        raise _error(422, "amount_too_small", minimum=format_yuan(policy.amount.minimum_yuan))
    if amount > policy.amount.staff_confirmation_above_yuan:
        maximum = format_yuan(policy.amount.staff_confirmation_above_yuan)
        raise _error(422, "amount_needs_staff", maximum=maximum)
    return fen


def normalise_phone(value: str) -> str:
    """The phone number in its canonical form.

    Raises:
        ApiError: 422 ``phone_invalid``.
    """
    result = parse_phone(value)
    if result.number is None:
        raise _error(422, "phone_invalid")
    return result.number


def check_receipt(pledge: PledgeIn) -> tuple[str | None, str | None, str | None]:
    """Receipt kind, title and normalised tax id (all None when no receipt is wanted).

    Raises:
        ApiError: 422 when a detail is missing or the ID / credit code is invalid.
    """
    if not pledge.receipt_wanted:
        return None, None, None
    if not (pledge.receipt_kind and pledge.receipt_title and pledge.receipt_tax_id):
        raise _error(422, "receipt_details_required")
    if pledge.receipt_kind == "person":
        id_check = validate_id_number(pledge.receipt_tax_id)
        if not id_check.valid:
            reason = text(f"reason_{id_check.reason}")
            raise _error(422, "receipt_id_invalid", reason=reason)
        return "person", pledge.receipt_title, id_check.number
    code_check = validate_credit_code(pledge.receipt_tax_id)
    if not code_check.valid:
        raise _error(422, "receipt_credit_code_invalid", reason=text(f"reason_{code_check.reason}"))
    return "company", pledge.receipt_title, code_check.code


def create_pledge(
    *, session: Session, pledge: PledgeIn, policy: DonationPolicy, now: dt.datetime | None = None
) -> PledgeCreatedOut:
    """Record a money pledge (status ``pending``) and return its reference and how to pay.

    Raises:
        ApiError: 404 unknown project, 409 project not active, 422 invalid details.
    """
    now = now or dt.datetime.now(dt.UTC)
    project = get_project(session=session, code=pledge.project_code)
    if project.status != "active":
        raise _error(409, "project_not_active")
    amount_fen = check_amount(pledge.amount, policy)
    donor_name = (pledge.donor_name or "").strip() or None
    if not pledge.anonymous and donor_name is None:
        raise _error(422, "donor_name_required")
    receipt_kind, receipt_title, receipt_tax_id = check_receipt(pledge)
    phone = normalise_phone(pledge.contact_phone)
    record = DonationPledge(
        reference=_next_reference(session, MONEY_PREFIX, now),
        project_id=project.id,
        amount_fen=amount_fen,
        anonymous=pledge.anonymous,
        donor_name=donor_name,
        receipt_wanted=pledge.receipt_wanted,
        receipt_kind=receipt_kind,
        receipt_title=receipt_title,
        receipt_tax_id=receipt_tax_id,
        contact_phone=phone,
        status="pending",
        conversation_id=pledge.conversation_id,
        created_at=now,
    )
    session.add(record)
    session.commit()
    return PledgeCreatedOut(
        reference=record.reference,
        project_code=project.code,
        project_name=project.name,
        amount=to_yuan(amount_fen),
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


def find_pledge(*, session: Session, reference: str, contact_phone: str) -> DonationPledge:
    """The pledge with this reference whose contact phone matches.

    Both are needed; a wrong phone and an unknown reference give the same 404, so the
    endpoint does not reveal which references exist.

    Raises:
        ApiError: 404 ``pledge_not_found``.
    """
    canonical = normalise_reference(reference)
    phone = parse_phone(contact_phone).number
    pledge = (
        session.scalar(select(DonationPledge).where(DonationPledge.reference == canonical))
        if canonical
        else None
    )
    stored_phone = pledge.contact_phone if pledge else ""
    if pledge is None or phone is None or not hmac.compare_digest(stored_phone, phone):
        raise _error(404, "pledge_not_found")
    return pledge


def cancel_pledge(
    *, session: Session, reference: str, contact_phone: str, now: dt.datetime | None = None
) -> DonationPledge:
    """Cancel a pending pledge (the citizen changed their mind before paying).

    Raises:
        ApiError: 404 not found, 409 when it is no longer pending.
    """
    pledge = find_pledge(session=session, reference=reference, contact_phone=contact_phone)
    result = cast(
        CursorResult[Any],
        session.execute(
            update(DonationPledge)
            .where(DonationPledge.id == pledge.id, DonationPledge.status == "pending")
            .values(status="cancelled", cancelled_at=now or dt.datetime.now(dt.UTC))
            .execution_options(synchronize_session=False)
        ),
    )
    session.commit()
    session.refresh(pledge)
    if result.rowcount != 1:
        raise _error(409, "pledge_not_pending", status=text(f"status_{pledge.status}"))
    return pledge


def confirm_payment(
    *, session: Session, confirmation: PaymentConfirmationIn, now: dt.datetime | None = None
) -> PaymentConfirmationOut:
    """Mark a pledge paid and add its amount to the project, exactly once.

    A repeated notice with the same transaction id is answered like the first one
    (``already_confirmed``) and changes nothing.

    Raises:
        ApiError: 404 unknown reference; 409 cancelled, paid by another transaction, or
            transaction id already used for another pledge; 422 amount differs from the pledge.
    """
    reference = normalise_reference(confirmation.reference)
    if reference is None:
        raise _error(404, "pledge_not_found")
    amount_fen = to_fen(confirmation.amount)
    paid_at = confirmation.paid_at or now or dt.datetime.now(dt.UTC)
    try:
        flipped = cast(
            CursorResult[Any],
            session.execute(
                update(DonationPledge)
                .where(
                    DonationPledge.reference == reference,
                    DonationPledge.status == "pending",
                    DonationPledge.amount_fen == amount_fen,
                )
                .values(
                    status="paid",
                    paid_at=paid_at,
                    payment_transaction_id=confirmation.transaction_id,
                )
                .execution_options(synchronize_session=False)
            ),
        )
        newly_paid = flipped.rowcount == 1
        if newly_paid:
            project_of_pledge = (
                select(DonationPledge.project_id)
                .where(DonationPledge.reference == reference)
                .scalar_subquery()
            )
            session.execute(
                update(CharityProject)
                .where(CharityProject.id == project_of_pledge)
                .values(raised_online_fen=CharityProject.raised_online_fen + amount_fen)
                .execution_options(synchronize_session=False)
            )
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise _error(409, "transaction_reused") from error
    pledge = session.scalar(
        select(DonationPledge)
        .where(DonationPledge.reference == reference)
        .execution_options(populate_existing=True)
    )
    if pledge is None:
        raise _error(404, "pledge_not_found")
    if not newly_paid:
        _explain_refusal(pledge, amount_fen, confirmation.transaction_id)
    session.refresh(pledge.project)
    project = pledge.project
    return PaymentConfirmationOut(
        reference=pledge.reference,
        status=cast(Any, pledge.status),
        already_confirmed=not newly_paid,
        project_code=project.code,
        project_raised=to_yuan(project.raised_offline_fen + project.raised_online_fen),
    )


def _explain_refusal(pledge: DonationPledge, amount_fen: int, transaction_id: str) -> None:
    """Raise why a confirmation changed nothing, or return for a harmless repeat."""
    if pledge.status in ("paid", "receipt_issued"):
        if pledge.payment_transaction_id != transaction_id:
            raise _error(409, "already_paid_other")
        if pledge.amount_fen != amount_fen:
            raise _amount_mismatch(pledge.amount_fen, amount_fen)
        return
    if pledge.status == "cancelled":
        raise _error(409, "pledge_not_pending", status=text("status_cancelled"))
    raise _amount_mismatch(pledge.amount_fen, amount_fen)


def _amount_mismatch(expected_fen: int, paid_fen: int) -> ApiError:
    return _error(
        422,
        "amount_mismatch",
        expected=format_yuan(to_yuan(expected_fen)),
        paid=format_yuan(to_yuan(paid_fen)),
    )


def mark_receipt_issued(
    *, session: Session, reference: str, now: dt.datetime | None = None
) -> DonationPledge:
    """Record that the 公益事业捐赠票据 was issued for a paid pledge (idempotent).

    Raises:
        ApiError: 404 unknown reference, 409 when the pledge is not paid.
    """
    canonical = normalise_reference(reference)
    pledge = (
        session.scalar(select(DonationPledge).where(DonationPledge.reference == canonical))
        if canonical
        else None
    )
    if pledge is None:
        raise _error(404, "pledge_not_found")
    session.execute(
        update(DonationPledge)
        .where(DonationPledge.id == pledge.id, DonationPledge.status == "paid")
        .values(status="receipt_issued", receipt_issued_at=now or dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    session.refresh(pledge)
    if pledge.status != "receipt_issued":
        raise _error(409, "not_paid")
    return pledge


def paid_total_fen(*, session: Session, project_code: str) -> int:
    """Sum of the paid (and receipted) pledges of a project, for consistency checks."""
    amounts = session.scalars(
        select(DonationPledge.amount_fen)
        .join(CharityProject)
        .where(
            CharityProject.code == project_code,
            DonationPledge.status.in_(("paid", "receipt_issued")),
        )
    )
    return sum(amounts)


# --- goods ---------------------------------------------------------------------------------


def upsert_dropoff_points(*, session: Session, catalogue: Catalogue) -> int:
    """Insert or update the goods drop-off points by code."""
    existing = {p.code: p for p in session.scalars(select(GoodsDropOffPoint))}
    for row in catalogue.goods.points:
        point = existing.get(row.code) or GoodsDropOffPoint(code=row.code)
        point.name = row.name
        point.district = row.district
        point.address = row.address
        point.hours = row.hours
        point.categories = list(row.categories)
        point.sample = catalogue.sample
        session.add(point)
    session.commit()
    return len(catalogue.goods.points)


def _point_out(point: GoodsDropOffPoint) -> DropOffPointOut:
    return DropOffPointOut(
        code=point.code,
        name=point.name,
        district=point.district,
        address=point.address,
        hours=point.hours,
        categories=list(point.categories),
        sample=point.sample,
    )


def goods_info(
    *, session: Session, category: str | None = None, catalogue: Catalogue | None = None
) -> GoodsInfoOut:
    """Accepted goods and the drop-off points (only those taking `category`, when given)."""
    goods = (catalogue or get_catalogue()).goods
    points = session.scalars(select(GoodsDropOffPoint).order_by(GoodsDropOffPoint.id))
    return GoodsInfoOut(
        categories=[
            GoodsCategoryOut(code=c.code, name=c.name, note=c.note) for c in goods.categories
        ],
        not_accepted=goods.not_accepted,
        where_to_give=goods.where_to_give,
        points=[_point_out(p) for p in points if category is None or category in p.categories],
    )


def create_goods_pledge(
    *,
    session: Session,
    pledge: GoodsPledgeIn,
    now: dt.datetime | None = None,
    catalogue: Catalogue | None = None,
) -> GoodsPledgeOut:
    """Record a promise to bring goods to a drop-off point.

    Raises:
        ApiError: 422 unknown category, unknown point, point not taking the category,
            missing description or invalid phone.
    """
    now = now or dt.datetime.now(dt.UTC)
    categories = {c.code: c for c in (catalogue or get_catalogue()).goods.categories}
    category = categories.get(pledge.category)
    if category is None:
        raise _error(422, "goods_category_unknown")
    point = session.scalar(
        select(GoodsDropOffPoint).where(GoodsDropOffPoint.code == pledge.dropoff_point)
    )
    if point is None:
        raise _error(422, "goods_point_unknown")
    if category.code not in point.categories:
        raise _error(422, "goods_point_category")
    if not pledge.description:
        raise _error(422, "goods_description_required")
    phone = normalise_phone(pledge.contact_phone)
    record = GoodsPledge(
        reference=_next_reference(session, GOODS_PREFIX, now),
        category=category.code,
        description=pledge.description,
        dropoff_point_id=point.id,
        donor_name=(pledge.donor_name or "").strip() or None,
        contact_phone=phone,
        status="pledged",
        created_at=now,
    )
    session.add(record)
    session.commit()
    return GoodsPledgeOut(
        reference=record.reference,
        category=category.code,
        category_name=category.name,
        description=record.description,
        dropoff_point=_point_out(point),
        status=record.status,
    )
