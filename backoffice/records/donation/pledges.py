"""Money pledges: check and record one, find it again (reference + phone), cancel it."""

from __future__ import annotations

import datetime as dt
import hmac
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backoffice.db import rowcount
from backoffice.records.donation.models import CharityProject, DonationPledge
from backoffice.records.donation.money import format_yuan, to_fen
from backoffice.records.donation.pledge_references import (
    MONEY_PREFIX,
    next_reference,
    normalise_reference,
)
from backoffice.records.donation.policy import DonationPolicy
from backoffice.records.donation.projects import get_project
from backoffice.records.donation.schemas import PledgeIn
from backoffice.records.donation.texts import refusal, text
from zhtext.credit_code import validate_credit_code
from zhtext.idcard import validate_id_number
from zhtext.phone import parse_phone


def check_amount(amount: Decimal, policy: DonationPolicy) -> int:
    """The amount in fen when it is within the online bounds.

    Raises:
        ApiError: 422 ``amount_invalid`` / ``amount_too_small`` / ``amount_needs_staff``.
    """
    fen = to_fen(amount)
    if amount < policy.amount.minimum_yuan:
        raise refusal(422, "amount_too_small", minimum=format_yuan(policy.amount.minimum_yuan))
    if amount > policy.amount.staff_confirmation_above_yuan:
        maximum = format_yuan(policy.amount.staff_confirmation_above_yuan)
        raise refusal(422, "amount_needs_staff", maximum=maximum)
    return fen


def normalise_phone(value: str) -> str:
    """The phone number in its canonical form.

    Raises:
        ApiError: 422 ``phone_invalid``.
    """
    result = parse_phone(value)
    if result.number is None:
        raise refusal(422, "phone_invalid")
    return result.number


def check_receipt(pledge: PledgeIn) -> tuple[str | None, str | None, str | None]:
    """Receipt kind, title and normalised tax id (all None when no receipt is wanted).

    Raises:
        ApiError: 422 when a detail is missing or the ID / credit code is invalid.
    """
    if not pledge.receipt_wanted:
        return None, None, None
    if not (pledge.receipt_kind and pledge.receipt_title and pledge.receipt_tax_id):
        raise refusal(422, "receipt_details_required")
    if pledge.receipt_kind == "person":
        id_check = validate_id_number(pledge.receipt_tax_id)
        if not id_check.valid:
            reason = text(f"reason_{id_check.reason}")
            raise refusal(422, "receipt_id_invalid", reason=reason)
        return "person", pledge.receipt_title, id_check.number
    code_check = validate_credit_code(pledge.receipt_tax_id)
    if not code_check.valid:
        reason = text(f"reason_{code_check.reason}")
        raise refusal(422, "receipt_credit_code_invalid", reason=reason)
    return "company", pledge.receipt_title, code_check.code


def create_pledge(
    *, session: Session, pledge: PledgeIn, policy: DonationPolicy, now: dt.datetime | None = None
) -> DonationPledge:
    """Record a money pledge (status ``pending``); the caller tells the donor how to pay.

    Raises:
        ApiError: 404 unknown project, 409 project not active, 422 invalid details.
    """
    now = now or dt.datetime.now(dt.UTC)
    project = get_project(session=session, code=pledge.project_code)
    if project.status != "active":
        raise refusal(409, "project_not_active")
    amount_fen = check_amount(pledge.amount, policy)
    donor_name = (pledge.donor_name or "").strip() or None
    if not pledge.anonymous and donor_name is None:
        raise refusal(422, "donor_name_required")
    receipt_kind, receipt_title, receipt_tax_id = check_receipt(pledge)
    phone = normalise_phone(pledge.contact_phone)
    record = DonationPledge(
        reference=next_reference(session, MONEY_PREFIX, now),
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
    return record


def pledge_by_reference(*, session: Session, reference: str) -> DonationPledge | None:
    """The pledge with this reference in any spelling, or None (also for a malformed one)."""
    canonical = normalise_reference(reference)
    if canonical is None:
        return None
    return session.scalar(select(DonationPledge).where(DonationPledge.reference == canonical))


def find_pledge(*, session: Session, reference: str, contact_phone: str) -> DonationPledge:
    """The pledge with this reference whose contact phone matches.

    Both are needed; a wrong phone and an unknown reference give the same 404, so the
    endpoint does not reveal which references exist.

    Raises:
        ApiError: 404 ``pledge_not_found``.
    """
    pledge = pledge_by_reference(session=session, reference=reference)
    phone = parse_phone(contact_phone).number
    stored_phone = pledge.contact_phone if pledge else ""
    if pledge is None or phone is None or not hmac.compare_digest(stored_phone, phone):
        raise refusal(404, "pledge_not_found")
    return pledge


def cancel_pledge(
    *, session: Session, reference: str, contact_phone: str, now: dt.datetime | None = None
) -> DonationPledge:
    """Cancel a pending pledge (the citizen changed their mind before paying).

    Raises:
        ApiError: 404 not found, 409 when it is no longer pending.
    """
    pledge = find_pledge(session=session, reference=reference, contact_phone=contact_phone)
    cancelled_at = now or dt.datetime.now(dt.UTC)
    if not move_status(session, pledge, "pending", "cancelled", cancelled_at=cancelled_at):
        raise refusal(409, "pledge_not_pending", status=text(f"status_{pledge.status}"))
    return pledge


def move_status(
    session: Session, pledge: DonationPledge, before: str, after: str, **values: object
) -> bool:
    """Move a pledge from status `before` to `after` (and set `values`) if it still is `before`.

    A conditional UPDATE, committed; `pledge` is read back. Returns whether it moved.
    """
    moved = session.execute(
        update(DonationPledge)
        .where(DonationPledge.id == pledge.id, DonationPledge.status == before)
        .values(status=after, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    session.refresh(pledge)
    return rowcount(moved) == 1


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
