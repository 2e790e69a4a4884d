"""Donation pledges: references, amount bounds, projects; looking a pledge up and cancelling it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from backoffice.records.donation.mapping import pledge_created_out, pledge_out
from backoffice.records.donation.pledge_references import normalise_reference
from backoffice.records.donation.pledges import cancel_pledge, create_pledge, find_pledge
from backoffice.records.donation.policy import get_policy, load_policy
from core.settings import PROJECT_ROOT
from tests.backoffice.donation_support import NOW, PHONE, pledge, refusal
from tests.backoffice.donation_support import seeded as seeded


def test_pledge_gets_a_daily_reference_and_payment_text(seeded: Session) -> None:
    policy = get_policy()
    first = create_pledge(session=seeded, pledge=pledge(), policy=policy, now=NOW)
    second = create_pledge(session=seeded, pledge=pledge(), policy=policy, now=NOW)
    assert first.reference == "CS-20261128-0001"
    assert second.reference == "CS-20261128-0002"
    next_day = create_pledge(
        session=seeded, pledge=pledge(), policy=policy, now=NOW + dt.timedelta(days=1)
    )
    assert next_day.reference == "CS-20261129-0001"
    assert first.status == "pending"
    told = pledge_created_out(first, policy)
    assert "官方" in told.payment_channels
    assert "验证码" in told.never_ask


def test_reference_day_is_china_time(seeded: Session) -> None:
    late_utc = dt.datetime(2026, 11, 28, 17, 30, tzinfo=dt.UTC)  # 01:30 on the 29th in Hangzhou
    created = create_pledge(session=seeded, pledge=pledge(), policy=get_policy(), now=late_utc)
    assert created.reference.startswith("CS-20261129-")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Decimal("0.5"), "amount_too_small"),
        (Decimal("50000.01"), "amount_needs_staff"),
        (Decimal(100_000), "amount_needs_staff"),
    ],
)
def test_amount_bounds(seeded: Session, amount: Decimal, code: str) -> None:
    error = refusal(
        lambda: create_pledge(session=seeded, pledge=pledge(amount=amount), policy=get_policy())
    )
    assert error.status_code == 422
    assert error.code == code


@pytest.mark.parametrize("amount", [Decimal(1), Decimal("50000"), Decimal("88.88")])
def test_amounts_at_the_bounds_are_accepted(seeded: Session, amount: Decimal) -> None:
    created = create_pledge(session=seeded, pledge=pledge(amount=amount), policy=get_policy())
    assert pledge_created_out(created, get_policy()).amount == amount


def test_amount_with_fractions_of_a_fen_is_refused_by_the_schema() -> None:
    with pytest.raises(ValueError, match="decimal"):
        pledge(amount=Decimal("1.005"))


def test_policy_file_bounds_are_read_from_knowledge() -> None:
    policy = load_policy(PROJECT_ROOT / "knowledge" / "policies" / "donation.yml")
    assert policy.amount.minimum_yuan == 1
    assert policy.amount.staff_confirmation_above_yuan == 50_000
    assert policy.sample is True


def test_policy_with_inverted_bounds_is_rejected(tmp_path: Path) -> None:
    text = (PROJECT_ROOT / "knowledge" / "policies" / "donation.yml").read_text(encoding="utf-8")
    broken = tmp_path / "donation.yml"
    broken.write_text(
        text.replace("staff_confirmation_above_yuan: 50000", "staff_confirmation_above_yuan: 0.5"),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="staff_confirmation_above_yuan"):
        load_policy(broken)


def test_unknown_and_inactive_projects(seeded: Session) -> None:
    policy = get_policy()
    missing = refusal(
        lambda: create_pledge(session=seeded, pledge=pledge(project_code="nope"), policy=policy)
    )
    assert (missing.status_code, missing.code) == (404, "project_not_found")
    done = refusal(
        lambda: create_pledge(
            session=seeded, pledge=pledge(project_code="disaster-relief-2026"), policy=policy
        )
    )
    assert (done.status_code, done.code) == (409, "project_not_active")


def test_lookup_needs_reference_and_matching_phone(seeded: Session) -> None:
    created = create_pledge(session=seeded, pledge=pledge(), policy=get_policy(), now=NOW)
    found = find_pledge(session=seeded, reference="cs 20261128 0001", contact_phone="138-1234-5678")
    assert found.reference == created.reference
    out = pledge_out(found)
    assert out.contact_phone_masked == "138****5678"
    assert out.donor_name_masked == "张*"
    assert out.status_name == "待付款"
    for reference, phone in [
        (created.reference, "13900000000"),
        ("CS-20261128-0002", PHONE),
        ("", PHONE),
        (created.reference, ""),
    ]:
        error = refusal(
            lambda reference=reference, phone=phone: find_pledge(
                session=seeded, reference=reference, contact_phone=phone
            )
        )
        assert (error.status_code, error.code) == (404, "pledge_not_found")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("CS-20261128-0001", "CS-20261128-0001"),
        ("cs202611280001", "CS-20261128-0001"),
        ("ＣＳ－２０２６１１２８－０００１", "CS-20261128-0001"),
        ("CS-20261128-12", None),
        ("HY-20261128-0001", None),
        ("", None),
    ],
)
def test_normalise_reference(text: str, canonical: str | None) -> None:
    assert normalise_reference(text) == canonical


def test_cancel_only_while_pending(seeded: Session) -> None:
    created = create_pledge(session=seeded, pledge=pledge(), policy=get_policy(), now=NOW)
    cancelled = cancel_pledge(session=seeded, reference=created.reference, contact_phone=PHONE)
    assert cancelled.status == "cancelled"
    again = refusal(
        lambda: cancel_pledge(session=seeded, reference=created.reference, contact_phone=PHONE)
    )
    assert (again.status_code, again.code) == (409, "pledge_not_pending")
