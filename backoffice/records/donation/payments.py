"""Payment confirmation and receipt issuance, both signed by the payment side and idempotent.

Invariant: a project's ``raised_online_fen`` always equals the sum of its paid (or receipted)
pledges. The only code that changes it is :func:`confirm_payment`, which flips the pledge from
``pending`` to ``paid`` with a conditional UPDATE and, only when that UPDATE matched a row, adds
the amount in the same transaction (``raised_online_fen = raised_online_fen + :fen``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.db import rowcount
from backoffice.records.donation.models import CharityProject, DonationPledge
from backoffice.records.donation.money import format_yuan, to_fen, to_yuan
from backoffice.records.donation.pledge_references import normalise_reference
from backoffice.records.donation.pledges import move_status, pledge_by_reference
from backoffice.records.donation.schemas import PaymentConfirmationIn
from backoffice.records.donation.texts import refusal, text
from core.errors import ApiError


@dataclass(frozen=True)
class PaymentOutcome:
    """The pledge after a confirmation, and whether an earlier one had already paid it."""

    pledge: DonationPledge
    already_confirmed: bool


def confirm_payment(
    *, session: Session, confirmation: PaymentConfirmationIn, now: dt.datetime | None = None
) -> PaymentOutcome:
    """Mark a pledge paid and add its amount to the project, exactly once.

    A repeated notice with the same transaction id is answered like the first one
    (``already_confirmed``) and changes nothing.

    Raises:
        ApiError: 404 unknown reference; 409 cancelled, paid by another transaction, or
            transaction id already used for another pledge; 422 amount differs from the pledge.
    """
    reference = normalise_reference(confirmation.reference)
    if reference is None:
        raise refusal(404, "pledge_not_found")
    amount_fen = to_fen(confirmation.amount)
    paid_at = confirmation.paid_at or now or dt.datetime.now(dt.UTC)
    try:
        flipped = session.execute(
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
        )
        newly_paid = rowcount(flipped) == 1
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
        raise refusal(409, "transaction_reused") from error
    pledge = session.scalar(
        select(DonationPledge)
        .where(DonationPledge.reference == reference)
        .execution_options(populate_existing=True)
    )
    if pledge is None:
        raise refusal(404, "pledge_not_found")
    if not newly_paid:
        _explain_refusal(pledge, amount_fen, confirmation.transaction_id)
    session.refresh(pledge.project)
    return PaymentOutcome(pledge=pledge, already_confirmed=not newly_paid)


def _explain_refusal(pledge: DonationPledge, amount_fen: int, transaction_id: str) -> None:
    """Raise why a confirmation changed nothing, or return for a harmless repeat."""
    if pledge.status in ("paid", "receipt_issued"):
        if pledge.payment_transaction_id != transaction_id:
            raise refusal(409, "already_paid_other")
        if pledge.amount_fen != amount_fen:
            raise _amount_mismatch(pledge.amount_fen, amount_fen)
        return
    if pledge.status == "cancelled":
        raise refusal(409, "pledge_not_pending", status=text("status_cancelled"))
    raise _amount_mismatch(pledge.amount_fen, amount_fen)


def _amount_mismatch(expected_fen: int, paid_fen: int) -> ApiError:
    return refusal(
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
    pledge = pledge_by_reference(session=session, reference=reference)
    if pledge is None:
        raise refusal(404, "pledge_not_found")
    issued_at = now or dt.datetime.now(dt.UTC)
    move_status(session, pledge, "paid", "receipt_issued", receipt_issued_at=issued_at)
    if pledge.status != "receipt_issued":
        raise refusal(409, "not_paid")
    return pledge
