"""Who pledges: a named or anonymous donor, receipts for a person or a company, the phone."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backoffice.records.donation.mapping import pledge_out
from backoffice.records.donation.pledges import create_pledge, find_pledge
from backoffice.records.donation.policy import get_policy
from tests.backoffice.donation_support import NOW, PHONE, pledge, refusal
from tests.backoffice.donation_support import seeded as seeded

PERSON_ID = "330106199001011248"

COMPANY_CODE = "91330100716105852F"


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
