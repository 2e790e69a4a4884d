"""Donation payment confirmation: paid once, refusals, receipts after payment, and the races."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import make_engine
from backoffice.records.donation.mapping import payment_confirmation_out, project_out
from backoffice.records.donation.models import DonationPledge
from backoffice.records.donation.payments import confirm_payment, mark_receipt_issued
from backoffice.records.donation.pledges import cancel_pledge, create_pledge, paid_total_fen
from backoffice.records.donation.policy import get_policy
from backoffice.records.donation.projects import get_project
from backoffice.records.donation.schemas import PaymentConfirmationIn
from backoffice.records.donation.seed import seed
from core.errors import ApiError
from tests.backoffice.donation_support import NOW, PHONE, pledge, refusal
from tests.backoffice.donation_support import seeded as seeded
from tests.backoffice.racing import at_once


def confirmation(reference: str, amount: str = "200", tx: str = "TX-1") -> PaymentConfirmationIn:
    return PaymentConfirmationIn(reference=reference, amount=Decimal(amount), transaction_id=tx)


def raised_online(session: Session, code: str) -> int:
    session.expire_all()
    return get_project(session=session, code=code).raised_online_fen


def test_confirmation_marks_paid_and_adds_to_raised_once(seeded: Session) -> None:
    created = create_pledge(session=seeded, pledge=pledge(), policy=get_policy(), now=NOW)
    before = project_out(get_project(session=seeded, code="edu-lunch-2026")).raised
    first = payment_confirmation_out(
        confirm_payment(session=seeded, confirmation=confirmation(created.reference))
    )
    assert first.status == "paid"
    assert first.already_confirmed is False
    assert first.project_raised == before + 200
    repeat = payment_confirmation_out(
        confirm_payment(session=seeded, confirmation=confirmation(created.reference))
    )
    assert repeat.already_confirmed is True
    assert repeat.project_raised == before + 200
    assert raised_online(seeded, "edu-lunch-2026") == 20_000


def test_confirmation_refusals(seeded: Session) -> None:
    policy = get_policy()
    created = create_pledge(session=seeded, pledge=pledge(), policy=policy, now=NOW)
    other = create_pledge(session=seeded, pledge=pledge(), policy=policy, now=NOW)
    wrong_amount = refusal(
        lambda: confirm_payment(session=seeded, confirmation=confirmation(created.reference, "20"))
    )
    assert (wrong_amount.status_code, wrong_amount.code) == (422, "amount_mismatch")
    unknown = refusal(
        lambda: confirm_payment(session=seeded, confirmation=confirmation("CS-20261128-0099"))
    )
    assert unknown.status_code == 404
    confirm_payment(session=seeded, confirmation=confirmation(created.reference, tx="TX-A"))
    by_other_tx = refusal(
        lambda: confirm_payment(
            session=seeded, confirmation=confirmation(created.reference, tx="TX-B")
        )
    )
    assert (by_other_tx.status_code, by_other_tx.code) == (409, "already_paid_other")
    reused = refusal(
        lambda: confirm_payment(
            session=seeded, confirmation=confirmation(other.reference, tx="TX-A")
        )
    )
    assert (reused.status_code, reused.code) == (409, "transaction_reused")
    cancel_pledge(session=seeded, reference=other.reference, contact_phone=PHONE)
    cancelled = refusal(
        lambda: confirm_payment(
            session=seeded, confirmation=confirmation(other.reference, tx="TX-C")
        )
    )
    assert (cancelled.status_code, cancelled.code) == (409, "pledge_not_pending")
    assert raised_online(seeded, "edu-lunch-2026") == 20_000
    assert paid_total_fen(session=seeded, project_code="edu-lunch-2026") == 20_000


def test_receipt_issued_after_payment_only(seeded: Session) -> None:
    created = create_pledge(session=seeded, pledge=pledge(), policy=get_policy(), now=NOW)
    early = refusal(lambda: mark_receipt_issued(session=seeded, reference=created.reference))
    assert (early.status_code, early.code) == (409, "not_paid")
    confirm_payment(session=seeded, confirmation=confirmation(created.reference))
    issued = mark_receipt_issued(session=seeded, reference=created.reference)
    assert issued.status == "receipt_issued"
    assert mark_receipt_issued(session=seeded, reference=created.reference).status == (
        "receipt_issued"
    )
    # A late repeat of the payment notice is still a harmless repeat.
    repeat = confirm_payment(session=seeded, confirmation=confirmation(created.reference))
    assert repeat.already_confirmed is True
    assert repeat.pledge.status == "receipt_issued"


def test_concurrent_confirmations_keep_raised_equal_to_paid_pledges(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as setup:
        seed(setup)
        policy = get_policy()
        amounts = [Decimal(10 + i) for i in range(12)]
        references = [
            create_pledge(
                session=setup, pledge=pledge(amount=amount), policy=policy, now=NOW
            ).reference
            for amount in amounts
        ]
        # Another project's pledge confirmed at the same time must not leak into this one.
        elderly = create_pledge(
            session=setup,
            pledge=pledge(project_code="elder-meal-2026", amount=Decimal(7)),
            policy=policy,
            now=NOW,
        ).reference
    jobs: list[PaymentConfirmationIn] = []
    for i, (reference, amount) in enumerate(zip(references, amounts, strict=True)):
        for _ in range(4):  # the payment side retries each notice several times
            jobs.append(confirmation(reference, str(amount), tx=f"TX-{i}"))
        jobs.append(confirmation(reference, str(amount), tx=f"TX-OTHER-{i}"))  # a conflicting one
    jobs.append(confirmation(elderly, "7", tx="TX-ELDER"))

    def worker(job: PaymentConfirmationIn, session: Session) -> str:
        try:
            result = confirm_payment(session=session, confirmation=job)
        except ApiError as error:
            return error.code
        return "repeat" if result.already_confirmed else "paid"

    outcomes = at_once(factory, [partial(worker, job) for job in jobs])
    assert len(outcomes) == len(jobs)
    assert outcomes.count("paid") == len(references) + 1
    assert set(outcomes) <= {"paid", "repeat", "already_paid_other"}
    with factory() as check:
        assert raised_online(check, "edu-lunch-2026") == sum(int(a * 100) for a in amounts)
        assert raised_online(check, "edu-lunch-2026") == paid_total_fen(
            session=check, project_code="edu-lunch-2026"
        )
        assert raised_online(check, "elder-meal-2026") == 700
        paid = check.scalar(
            select(func.count()).select_from(DonationPledge).where(DonationPledge.status == "paid")
        )
        assert paid == len(references) + 1
    engine.dispose()


def test_concurrent_pledges_get_distinct_references(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as setup:
        seed(setup)

    def worker(session: Session) -> str:
        return create_pledge(
            session=session, pledge=pledge(), policy=get_policy(), now=NOW
        ).reference

    references = at_once(factory, [worker] * 16)
    assert sorted(references) == [f"CS-20261128-{n:04d}" for n in range(1, 17)]
    engine.dispose()
