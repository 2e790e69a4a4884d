"""Donation records: catalogue, pledges with validation, payment confirmation and its races."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import make_engine
from backoffice.records.donation.catalogue import load_catalogue
from backoffice.records.donation.goods import create_goods_pledge, dropoff_points
from backoffice.records.donation.mapping import (
    goods_info_out,
    payment_confirmation_out,
    pledge_created_out,
    pledge_out,
    project_out,
)
from backoffice.records.donation.models import CharityProject, DonationPledge
from backoffice.records.donation.money import progress_percent
from backoffice.records.donation.payments import confirm_payment, mark_receipt_issued
from backoffice.records.donation.pledge_references import normalise_reference
from backoffice.records.donation.pledges import (
    cancel_pledge,
    create_pledge,
    find_pledge,
    paid_total_fen,
)
from backoffice.records.donation.policy import get_policy, load_policy
from backoffice.records.donation.projects import get_project, list_projects
from backoffice.records.donation.schemas import GoodsPledgeIn, PaymentConfirmationIn, PledgeIn
from backoffice.records.donation.seed import seed
from core.errors import ApiError
from core.settings import PROJECT_ROOT
from tests.backoffice.racing import at_once

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
PERSON_ID = "330106199001011248"
COMPANY_CODE = "91330100716105852F"
PHONE = "13812345678"


@pytest.fixture
def seeded(session: Session) -> Session:
    seed(session)
    return session


def pledge(**overrides: object) -> PledgeIn:
    values: dict[str, object] = {
        "project_code": "edu-lunch-2026",
        "amount": Decimal(200),
        "anonymous": False,
        "donor_name": "张三",
        "contact_phone": PHONE,
    }
    values.update(overrides)
    return PledgeIn.model_validate(values)


def refusal(call) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value


# --- catalogue and projects -------------------------------------------------------------------


def test_seed_is_idempotent_and_keeps_online_raised(seeded: Session) -> None:
    project = get_project(session=seeded, code="edu-lunch-2026")
    project.raised_online_fen = 12_345
    seeded.commit()
    seed(seeded)
    seed(seeded)
    assert seeded.scalar(select(func.count()).select_from(CharityProject)) == 8
    assert get_project(session=seeded, code="edu-lunch-2026").raised_online_fen == 12_345


def test_seed_file_is_marked_as_sample_data() -> None:
    catalogue = load_catalogue()
    assert catalogue.sample is True
    assert all("示例" in p.fundraising_record_no for p in catalogue.projects)
    assert set(catalogue.themes) >= {"education", "elderly", "disability", "medical", "disaster"}
    assert {"community", "general"} <= set(catalogue.themes)


def test_projects_by_theme_recommended_and_general_fund(seeded: Session) -> None:
    education = list_projects(session=seeded, theme="education")
    assert [p.code for p in education] == ["edu-lunch-2026", "edu-college-2026"]
    recommended = list_projects(session=seeded, recommended=True)
    assert recommended and all(p.recommended for p in recommended)
    # The completed disaster project is not offered; the general fund is.
    active = {p.code for p in list_projects(session=seeded)}
    assert "disaster-relief-2026" not in active
    assert "general-fund" in active


def test_project_progress(seeded: Session) -> None:
    out = project_out(get_project(session=seeded, code="edu-lunch-2026"))
    assert out.target == Decimal("500000.00")
    assert out.raised == Decimal("186400.00")
    assert out.progress_percent == 37
    assert out.theme_name == "助学"
    general = project_out(get_project(session=seeded, code="general-fund"))
    assert general.target is None
    assert general.progress_percent is None


@pytest.mark.parametrize(
    ("raised", "target", "percent"),
    [(0, 100, 0), (99, 100, 99), (100, 100, 100), (1, 3, 33), (50_000, 100, 999), (5, None, None)],
)
def test_progress_percent(raised: int, target: int | None, percent: int | None) -> None:
    assert progress_percent(raised, target) == percent


# --- pledges ----------------------------------------------------------------------------------


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


def test_named_donor_needs_a_name_anonymous_does_not(seeded: Session) -> None:
    policy = get_policy()
    error = refusal(
        lambda: create_pledge(session=seeded, pledge=pledge(donor_name=" "), policy=policy)
    )
    assert error.code == "donor_name_required"
    created = create_pledge(
        session=seeded, pledge=pledge(anonymous=True, donor_name=None), policy=policy
    )
    assert created.reference


def test_receipt_for_a_person_validates_the_id_number(seeded: Session) -> None:
    policy = get_policy()
    receipt = {"receipt_wanted": True, "receipt_kind": "person", "receipt_title": "张三"}
    bad = refusal(
        lambda: create_pledge(
            session=seeded,
            pledge=pledge(**receipt, receipt_tax_id=PERSON_ID[:17] + "9"),
            policy=policy,
        )
    )
    assert bad.code == "receipt_id_invalid"
    assert "校验位" in bad.message
    created = create_pledge(
        session=seeded, pledge=pledge(**receipt, receipt_tax_id=PERSON_ID), policy=policy
    )
    stored = find_pledge(session=seeded, reference=created.reference, contact_phone=PHONE)
    assert stored.receipt_tax_id == PERSON_ID
    assert pledge_out(stored).receipt_tax_id_masked == "3301**********1248"


def test_receipt_for_a_company_validates_the_credit_code(seeded: Session) -> None:
    policy = get_policy()
    receipt = {"receipt_wanted": True, "receipt_kind": "company", "receipt_title": "某某公司"}
    bad = refusal(
        lambda: create_pledge(
            session=seeded,
            pledge=pledge(**receipt, receipt_tax_id="91330100716105852G"),
            policy=policy,
        )
    )
    assert bad.code == "receipt_credit_code_invalid"
    short = refusal(
        lambda: create_pledge(
            session=seeded,
            pledge=pledge(**receipt, receipt_tax_id="9133010071610585"),
            policy=policy,
        )
    )
    assert "位数" in short.message
    created = create_pledge(
        session=seeded,
        pledge=pledge(**receipt, receipt_tax_id="9133 0100 7161 0585 2f"),
        policy=policy,
    )
    stored = find_pledge(session=seeded, reference=created.reference, contact_phone=PHONE)
    assert stored.receipt_tax_id == COMPANY_CODE
    assert pledge_out(stored).receipt_tax_id_masked == "9133**********852F"


def test_receipt_wanted_needs_all_details(seeded: Session) -> None:
    error = refusal(
        lambda: create_pledge(
            session=seeded,
            pledge=pledge(receipt_wanted=True, receipt_kind="person"),
            policy=get_policy(),
        )
    )
    assert error.code == "receipt_details_required"


def test_invalid_phone_is_refused_before_a_reference_is_used(seeded: Session) -> None:
    policy = get_policy()
    error = refusal(
        lambda: create_pledge(
            session=seeded, pledge=pledge(contact_phone="12345"), policy=policy, now=NOW
        )
    )
    assert error.code == "phone_invalid"
    seeded.rollback()
    assert create_pledge(session=seeded, pledge=pledge(), policy=policy, now=NOW).reference == (
        "CS-20261128-0001"
    )


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


# --- payment confirmation ---------------------------------------------------------------------


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


# --- goods ------------------------------------------------------------------------------------


def test_goods_info_and_filter(seeded: Session) -> None:
    info = goods_info_out(dropoff_points(session=seeded))
    assert {c.code for c in info.categories} >= {"clothing", "books"}
    assert "药品" in info.not_accepted
    assert "慈善总会" in info.where_to_give and "12345" in info.where_to_give
    assert all(p.hours and p.sample for p in info.points)
    food_points = dropoff_points(session=seeded, category="food")
    assert food_points and all("food" in p.categories for p in food_points)
    assert "xihu-hub" not in {p.code for p in food_points}


def test_goods_pledge(seeded: Session) -> None:
    made = create_goods_pledge(
        session=seeded,
        pledge=GoodsPledgeIn(
            category="clothing",
            description="冬衣 10 件",
            dropoff_point="xihu-hub",
            donor_name="李四",
            contact_phone=PHONE,
        ),
        now=NOW,
    )
    assert made.reference == "CW-20261128-0001"
    assert made.dropoff_point.name.startswith("西湖区")
    wrong_point = refusal(
        lambda: create_goods_pledge(
            session=seeded,
            pledge=GoodsPledgeIn(
                category="food", description="大米", dropoff_point="xihu-hub", contact_phone=PHONE
            ),
        )
    )
    assert wrong_point.code == "goods_point_category"
    unknown = refusal(
        lambda: create_goods_pledge(
            session=seeded,
            pledge=GoodsPledgeIn(
                category="medicine", description="药", dropoff_point="xihu-hub", contact_phone=PHONE
            ),
        )
    )
    assert unknown.code == "goods_category_unknown"
