"""The donation pledge form's validators: amount, project, donor, receipt, phone."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.donation import pledge
from core.sealing import SEALED_PREFIX, unseal
from testkit.trackers import EMPTY_DOMAIN
from tests.actions.donation_support import FakeBackoffice, form_tracker, responses
from tests.actions.donation_support import backoffice as backoffice


async def validate(slot: str, value: Any, slots: dict[str, Any] | None = None):
    dispatcher = CollectingDispatcher()
    validator = pledge.ValidateDonationForm()
    method = getattr(validator, f"validate_{slot}")
    result = await method(value, dispatcher, form_tracker(slots or {}), EMPTY_DOMAIN)
    return result, responses(dispatcher)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("两百", "200"), ("1千块", "1000"), ("五百元整", "500"), ("88.8", "88.80"), ("1", "1"),
     ("五万", "50000")],
)  # fmt: skip
async def test_amounts_in_natural_chinese(
    backoffice: FakeBackoffice, text: str, amount: str
) -> None:
    result, said = await validate("donation_amount", text)
    assert result == {"donation_amount": amount, "donation_needs_staff": False}
    assert said == []


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("不知道", "utter_donation_amount_invalid"),
        ("两百左右", "utter_donation_amount_not_exact"),
        ("三到五百", "utter_donation_amount_not_exact"),
        ("每个月一百", "utter_donation_amount_one_off"),
        ("0.5", "utter_donation_amount_too_small"),
        ("0", "utter_donation_amount_invalid"),
    ],
)
async def test_bad_amounts_say_what_was_wrong(
    backoffice: FakeBackoffice, text: str, response: str
) -> None:
    result, said = await validate("donation_amount", text)
    assert result == {"donation_amount": None}
    assert said == [response]


async def test_amount_above_the_bound_needs_staff(backoffice: FakeBackoffice) -> None:
    result, said = await validate("donation_amount", "十万")
    assert result == {"donation_amount": "100000", "donation_needs_staff": True}
    assert said == []
    validator = pledge.ValidateDonationForm()
    required = await validator.required_slots(
        [], CollectingDispatcher(), form_tracker({"donation_needs_staff": True}), EMPTY_DOMAIN
    )
    assert required == ["charity_project", "donation_amount"]


async def test_required_slots_follow_the_receipt_answer() -> None:
    validator = pledge.ValidateDonationForm()
    dispatcher = CollectingDispatcher()
    without = await validator.required_slots([], dispatcher, form_tracker({}), EMPTY_DOMAIN)
    assert "receipt_tax_id" not in without
    assert without[-2:] == ["donation_phone", "donation_confirmed"]
    with_receipt = await validator.required_slots(
        [], dispatcher, form_tracker({"receipt_wanted": True}), EMPTY_DOMAIN
    )
    assert {"receipt_kind", "receipt_title", "receipt_tax_id"} <= set(with_receipt)


async def test_project_validation(backoffice: FakeBackoffice) -> None:
    assert (await validate("charity_project", "营养午餐"))[0] == {
        "charity_project": "edu-lunch-2026"
    }
    assert (await validate("charity_project", "不限定用途"))[0] == {
        "charity_project": "general-fund"
    }
    result, said = await validate("charity_project", "助学")
    assert result == {"charity_project": None}
    assert said == ["utter_donation_project_several"]
    result, said = await validate("charity_project", "火星探索")
    assert said == ["utter_donation_project_unclear"]


async def test_donor_name_or_anonymous() -> None:
    assert (await validate("donor_name", "匿名"))[0] == {
        "donor_name": "匿名",
        "donor_anonymous": True,
    }
    assert (await validate("donor_name", "我叫张三"))[0] == {
        "donor_name": "张三",
        "donor_anonymous": False,
    }
    result, said = await validate("donor_name", "138")
    assert result == {"donor_name": None}
    assert said == ["utter_donation_name_invalid"]


async def test_receipt_tax_id_person_and_company() -> None:
    ok, _ = await validate("receipt_tax_id", "330106199001011248", {"receipt_kind": "person"})
    # Kept sealed: Rasa's tracker store never sees the number in clear (core/sealing.py).
    assert ok["receipt_tax_id"].startswith(SEALED_PREFIX)
    assert unseal(ok["receipt_tax_id"]) == "330106199001011248"
    bad, said = await validate("receipt_tax_id", "330106199001011249", {"receipt_kind": "person"})
    assert bad == {"receipt_tax_id": None}
    assert said == ["utter_donation_id_number_invalid"]
    company, _ = await validate("receipt_tax_id", "91330100716105852f", {"receipt_kind": "company"})
    assert unseal(company["receipt_tax_id"]) == "91330100716105852F"
    dispatcher = CollectingDispatcher()
    await pledge.ValidateDonationForm().validate_receipt_tax_id(
        "9133010071610585", dispatcher, form_tracker({"receipt_kind": "company"}), EMPTY_DOMAIN
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_donation_credit_code_invalid"
    assert "位数" in message["reason"]


async def test_phone_and_receipt_kind_validation() -> None:
    assert (await validate("donation_phone", "138 1234 5678"))[0] == {
        "donation_phone": "13812345678"
    }
    result, said = await validate("donation_phone", "12345")
    assert result == {"donation_phone": None}
    assert said == ["utter_donation_phone_invalid"]
    assert (await validate("receipt_kind", "company"))[0] == {"receipt_kind": "company"}
    assert (await validate("receipt_kind", "都行"))[1] == ["utter_donation_receipt_kind_invalid"]


async def test_ask_project_offers_every_open_project(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    await pledge.ActionAskCharityProject().run(dispatcher, form_tracker({}), EMPTY_DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_charity_project"
    titles = [b["title"] for b in message["buttons"]]
    assert titles[0] == "慈善综合基金（不限定用途）"
    assert len(titles) == 4
