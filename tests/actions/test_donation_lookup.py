"""Checking a donation pledge: the lookup form, the status, refusals that forget both answers."""

from __future__ import annotations

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.donation import lookup
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event
from tests.actions.donation_support import FakeBackoffice, responses, slots_of
from tests.actions.donation_support import backoffice as backoffice


async def test_lookup_validation() -> None:
    validator = lookup.ValidatePledgeLookupForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("")], active_loop="pledge_lookup_form")
    assert await validator.validate_pledge_reference(
        "编号 cs-20261128-0001", dispatcher, tracker, EMPTY_DOMAIN
    ) == {"pledge_reference": "CS-20261128-0001"}
    assert await validator.validate_pledge_reference(
        "不记得了", dispatcher, tracker, EMPTY_DOMAIN
    ) == {"pledge_reference": None}
    assert responses(dispatcher) == ["utter_donation_reference_invalid"]


async def test_a_reference_the_nlu_cut_short_is_read_from_the_whole_message() -> None:
    tracker = make_tracker([user_event("cs-20261128-0001")], active_loop="pledge_lookup_form")
    assert await lookup.ValidatePledgeLookupForm().validate_pledge_reference(
        "cs-20261128", CollectingDispatcher(), tracker, EMPTY_DOMAIN
    ) == {"pledge_reference": "CS-20261128-0001"}


async def test_lookup_found_reports_status(backoffice: FakeBackoffice) -> None:
    backoffice.lookup_response = httpx.Response(200, json={
        "reference": "CS-20261128-0001", "project_code": "edu-lunch-2026",
        "project_name": "山区学生营养午餐", "amount": "200.00", "status": "paid",
        "status_name": "已付款", "anonymous": False, "donor_name_masked": "张*",
        "receipt_wanted": True, "receipt_kind": "person", "receipt_title": "张三",
        "receipt_tax_id_masked": "3301**********1248", "contact_phone_masked": "138****5678",
        "created_at": "2026-11-28T10:00:00", "paid_at": "2026-11-28T11:00:00",
        "receipt_issued_at": None,
    })  # fmt: skip
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user_event("13812345678")],
        slots={"pledge_reference": "CS-20261128-0001", "donation_lookup_phone": "13812345678"},
    )
    events = await lookup.ActionCheckDonationPledge().run(dispatcher, tracker, EMPTY_DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_donation_pledge_paid_receipt_due"
    assert message["status_name"] == "已付款"
    assert backoffice.sent_json("/api/donation/pledges/lookup") == {
        "reference": "CS-20261128-0001",
        "contact_phone": "13812345678",
    }
    assert slots_of(events) == {"pledge_reference": None, "donation_lookup_phone": None}


async def test_lookup_needs_both_and_hides_which_was_wrong(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    only_reference = make_tracker([user_event("")], slots={"pledge_reference": "CS-20261128-0001"})
    await lookup.ActionCheckDonationPledge().run(dispatcher, only_reference, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_donation_pledge_not_found"]
    assert backoffice.requests == []  # nothing is asked with only one of the two
    dispatcher = CollectingDispatcher()
    slots = {"pledge_reference": "CS-20261128-0001", "donation_lookup_phone": "13900000000"}
    both = make_tracker([user_event("")], slots=slots)
    await lookup.ActionCheckDonationPledge().run(dispatcher, both, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_donation_pledge_not_found"]


@pytest.mark.parametrize(
    ("status", "error", "said"),
    [
        (
            404,
            {"code": "pledge_not_found", "message": "没有找到"},
            "utter_donation_pledge_not_found",
        ),
        (429, {"code": "too_many_attempts", "message": "查询次数过多"}, "查询次数过多"),
        (503, {"code": "unavailable", "message": "维护中"}, "utter_records_unavailable"),
    ],
)
async def test_lookup_refused_throttled_or_down_says_why_and_forgets_both(
    backoffice: FakeBackoffice, status: int, error: dict[str, str], said: str
) -> None:
    backoffice.lookup_response = httpx.Response(status, json={"error": error})
    dispatcher = CollectingDispatcher()
    slots = {"pledge_reference": "CS-20261128-0001", "donation_lookup_phone": "13812345678"}
    events = await lookup.ActionCheckDonationPledge().run(
        dispatcher, make_tracker([user_event("")], slots=slots), EMPTY_DOMAIN
    )
    assert [m["response"] or m["text"] for m in dispatcher.messages] == [said]
    assert slots_of(events) == {"pledge_reference": None, "donation_lookup_phone": None}
