"""The donation pledge summary and submitting it: masking, the pledge, staff, refusals."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.donation import pledge_submit
from testkit.trackers import EMPTY_DOMAIN
from tests.actions.donation_support import FakeBackoffice, form_tracker, responses, slots_of
from tests.actions.donation_support import backoffice as backoffice

FILLED = {
    "charity_project": "edu-lunch-2026",
    "donation_amount": "200",
    "donation_needs_staff": False,
    "donor_name": "张三",
    "donor_anonymous": False,
    "receipt_wanted": True,
    "receipt_kind": "person",
    "receipt_title": "张三",
    "receipt_tax_id": "330106199001011248",
    "donation_phone": "13812345678",
    "donation_confirmed": True,
}


async def test_summary_masks_personal_data(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    await pledge_submit.ActionAskDonationConfirmed().run(
        dispatcher, form_tracker(FILLED), EMPTY_DOMAIN
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_donation_confirmed"
    assert message["project"] == "山区学生营养午餐"
    assert message["amount"] == "200"
    assert message["phone"] == "138****5678"
    assert "3301**********1248" in message["receipt"]
    assert message["donor"] == "张*" and "张*" in message["receipt"]
    shown = json.dumps(message, ensure_ascii=False)
    assert "330106199001011248" not in shown and "张三" not in shown


async def test_summary_for_anonymous_without_receipt(backoffice: FakeBackoffice) -> None:
    slots = {**FILLED, "donor_anonymous": True, "donor_name": "匿名", "receipt_wanted": False}
    dispatcher = CollectingDispatcher()
    await pledge_submit.ActionAskDonationConfirmed().run(
        dispatcher, form_tracker(slots), EMPTY_DOMAIN
    )
    [message] = dispatcher.messages
    assert message["donor"] == "匿名（不公开姓名）"
    assert message["receipt"] == "不需要"


async def test_submit_makes_the_pledge_and_resets(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    events = await pledge_submit.ActionSubmitDonationPledge().run(
        dispatcher, form_tracker(FILLED), EMPTY_DOMAIN
    )
    sent = backoffice.sent_json("/api/donation/pledges")
    assert sent["project_code"] == "edu-lunch-2026"
    assert sent["amount"] == "200"
    assert sent["receipt_kind"] == "person"
    assert sent["receipt_tax_id"] == "330106199001011248"
    assert sent["anonymous"] is False
    [message] = dispatcher.messages
    assert message["response"] == "utter_donation_pledge_created"
    assert message["reference"] == "CS-20261128-0001"
    assert "验证码" in message["never_ask"]
    made = slots_of(events)
    # The form's answers are cleared; the reference is kept for a second "确认" (record_reminder).
    assert made.pop("donation_pledge_made") == "CS-20261128-0001"
    assert all(value is None for value in made.values())
    assert "donation_amount" in made
    assert "donation_needs_staff" not in slots_of(events)


async def test_submit_anonymous_sends_no_name(backoffice: FakeBackoffice) -> None:
    slots = {**FILLED, "donor_anonymous": True, "donor_name": "匿名", "receipt_wanted": False}
    await pledge_submit.ActionSubmitDonationPledge().run(
        CollectingDispatcher(), form_tracker(slots), EMPTY_DOMAIN
    )
    sent = backoffice.sent_json("/api/donation/pledges")
    assert sent["anonymous"] is True
    assert sent["donor_name"] is None
    assert sent["receipt_wanted"] is False
    assert sent["receipt_tax_id"] is None


async def test_declined_summary_makes_no_pledge(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    await pledge_submit.ActionSubmitDonationPledge().run(
        dispatcher, form_tracker({**FILLED, "donation_confirmed": False}), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_donation_not_submitted"]
    assert not [r for r in backoffice.requests if r.url.path == "/api/donation/pledges"]


async def test_large_amount_goes_to_staff_with_a_reason(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"charity_project": "edu-lunch-2026", "donation_amount": "100000",
             "donation_needs_staff": True}  # fmt: skip
    domain: Any = {**EMPTY_DOMAIN, "slots": {"handoff_reason": {}, "handoff_service": {}}}
    events = await pledge_submit.ActionSubmitDonationPledge().run(
        dispatcher, form_tracker(slots), domain
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_donation_needs_staff"
    assert (message["amount"], message["maximum"]) == ("100,000", "50,000")
    set_slots = slots_of(events)
    assert set_slots["handoff_reason"] == "donation_above_bound"
    assert set_slots["handoff_service"] == "donation"
    assert set_slots["donation_staff_request"] == "edu-lunch-2026 100000"
    assert set_slots["donation_amount"] is None  # a later donation starts afresh
    assert "donation_needs_staff" not in set_slots  # the ending rule looks at it
    assert not [r for r in backoffice.requests if r.url.path == "/api/donation/pledges"]
    # Without the handoff slots in the domain they are not set (the rule still hands over).
    events = await pledge_submit.ActionSubmitDonationPledge().run(
        CollectingDispatcher(), form_tracker(slots), EMPTY_DOMAIN
    )
    assert "handoff_reason" not in slots_of(events)


async def test_closed_project_and_refusal_and_outage(
    backoffice: FakeBackoffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    backoffice.pledge_response = httpx.Response(
        409, json={"error": {"code": "project_not_active", "message": "已结束"}}
    )
    dispatcher = CollectingDispatcher()
    await pledge_submit.ActionSubmitDonationPledge().run(
        dispatcher, form_tracker(FILLED), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_donation_project_closed"]
    backoffice.pledge_response = httpx.Response(
        422, json={"error": {"code": "phone_invalid", "message": "联系电话不正确"}}
    )
    dispatcher = CollectingDispatcher()
    await pledge_submit.ActionSubmitDonationPledge().run(
        dispatcher, form_tracker(FILLED), EMPTY_DOMAIN
    )
    assert dispatcher.messages[0]["detail"] == "联系电话不正确"
    backoffice.pledge_response = httpx.Response(500)
    dispatcher = CollectingDispatcher()
    events = await pledge_submit.ActionSubmitDonationPledge().run(
        dispatcher, form_tracker(FILLED), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_records_unavailable"]
    assert events == []  # the answers are kept so the citizen can try again
