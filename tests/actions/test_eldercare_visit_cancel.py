"""Cancelling a facility visit: the form, the read-back question, the cancellation, refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action

from actions.eldercare import visit_cancel
from testkit.trackers import EMPTY_DOMAIN, make_tracker
from tests.actions.eldercare_support import FakeBackoffice, responses, slots_of, tracker_for
from tests.actions.eldercare_support import backoffice as backoffice


def visit_json(status: str = "booked") -> dict[str, Any]:
    return {
        "reference": "YL-20261129-0001",
        "facility_code": "a",
        "facility_name": "a养老院（示例）",
        "facility_address": "详细地址待核实，请拨打 12345 询问",
        "facility_phone": "12345",
        "visit_date": "2026-11-29",
        "half_day": "pm",
        "visitor_name_masked": "张*",
        "phone_masked": "138****5678",
        "status": status,
    }


CANCEL_SLOTS = {
    "eldercare_cancel_reference": "YL-20261129-0001",
    "eldercare_cancel_phone": "13812345678",
    "eldercare_visit_reference": "YL-20261129-0001",
}

CANCEL_FORM_DOMAIN = EMPTY_DOMAIN | {
    "forms": {
        "eldercare_cancel_form": {
            "required_slots": ["eldercare_cancel_reference", "eldercare_cancel_phone"]
        }
    }
}


async def test_cancel_a_visit(backoffice: FakeBackoffice) -> None:
    path = "/api/eldercare/visits/YL-20261129-0001/cancel"
    backoffice.on("POST", path, 200, visit_json("cancelled"))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=CANCEL_SLOTS, sender_id="web-daughter")
    events = await visit_cancel.ActionCancelFacilityVisit().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_eldercare_visit_cancelled"]
    assert dispatcher.messages[0]["when"] == "11月29日（周日） 下午（14:00–16:30）"
    assert slots_of(events)["eldercare_visit_reference"] is None
    # only the proof: failed attempts count per reference and phone, whoever asks
    assert backoffice.bodies(path) == [{"phone": "13812345678"}]


async def test_cancelling_asks_first_with_the_visit_read_back(backoffice: FakeBackoffice) -> None:
    backoffice.on("POST", "/api/eldercare/visits/YL-20261129-0001/lookup", 200, visit_json())
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=CANCEL_SLOTS, sender_id="web-daughter")
    events = await visit_cancel.ActionConfirmVisitCancellation().run(
        dispatcher, tracker, EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_eldercare_cancel_confirm"]
    asked = dispatcher.messages[0]
    assert (asked["facility"], asked["when"], asked["reference"]) == (
        "a养老院（示例）",
        "11月29日（周日） 下午（14:00–16:30）",
        "YL-20261129-0001",
    )
    assert events == []  # reference and phone kept for 确定取消
    assert not backoffice.bodies("/api/eldercare/visits/YL-20261129-0001/cancel")


@pytest.mark.parametrize(
    ("status", "body", "response"),
    [
        (
            404,
            {"error": {"code": "visit_not_found", "message": "没有"}},
            "utter_eldercare_visit_not_found",
        ),
        (200, visit_json("cancelled"), "utter_eldercare_visit_already_cancelled"),
    ],
)
async def test_nothing_to_confirm_when_the_visit_is_not_there(
    backoffice: FakeBackoffice, status: int, body: dict[str, Any], response: str
) -> None:
    backoffice.on("POST", "/api/eldercare/visits/YL-20261129-0001/lookup", status, body)
    dispatcher = CollectingDispatcher()
    events = await visit_cancel.ActionConfirmVisitCancellation().run(
        dispatcher, make_tracker(slots=CANCEL_SLOTS), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == [response]
    assert slots_of(events) == {"eldercare_cancel_reference": None, "eldercare_cancel_phone": None}


async def test_not_cancelling_keeps_the_visit() -> None:
    dispatcher = CollectingDispatcher()
    events = await visit_cancel.ActionKeepFacilityVisit().run(
        dispatcher, make_tracker(slots=CANCEL_SLOTS), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_eldercare_visit_not_cancelled"]
    assert slots_of(events) == {"eldercare_cancel_reference": None, "eldercare_cancel_phone": None}


async def test_a_new_cancellation_forgets_an_earlier_one() -> None:
    stale = {
        "eldercare_cancel_reference": "YL-20261120-0009",
        "eldercare_cancel_phone": "13900001111",
    }
    tracker = tracker_for(
        "取消参观预约", "cancel_facility_visit", slots=stale, form="eldercare_cancel_form"
    )
    events = await visit_cancel.ValidateEldercareCancelForm().run(
        CollectingDispatcher(), tracker, CANCEL_FORM_DOMAIN
    )
    assert slots_of(events) == {"eldercare_cancel_reference": None, "eldercare_cancel_phone": None}


async def test_cancelling_this_conversations_visit_needs_no_questions() -> None:
    booked = {
        "eldercare_visit_reference": "YL-20261129-0001",
        "eldercare_visitor_phone": "13812345678",
    }
    tracker = tracker_for(
        "/cancel_facility_visit", "cancel_facility_visit", slots=booked,
        form="eldercare_cancel_form",
    )  # fmt: skip
    events = await visit_cancel.ValidateEldercareCancelForm().run(
        CollectingDispatcher(), tracker, CANCEL_FORM_DOMAIN
    )
    assert slots_of(events) == {
        "eldercare_cancel_reference": "YL-20261129-0001",
        "eldercare_cancel_phone": "13812345678",
    }


def test_the_cancel_button_leads_to_a_question_not_to_cancelling() -> None:
    rules_file = Path(__file__).parents[2] / "bot" / "data" / "rules" / "eldercare.yml"
    rules = yaml.safe_load(rules_file.read_text(encoding="utf-8"))["rules"]
    after_form = next(
        rule["steps"][-1]["action"]
        for rule in rules
        if rule["steps"][0] == {"action": "eldercare_cancel_form"}
    )
    assert after_form == "action_confirm_visit_cancellation"
    answers = {
        rule["steps"][1]["intent"]: rule["steps"][2]["action"]
        for rule in rules
        if rule["steps"][0] == {"action": "action_confirm_visit_cancellation"}
    }
    assert answers == {
        "affirm": "action_cancel_facility_visit",
        "deny": "action_keep_facility_visit",
    }


async def test_cancel_with_a_wrong_phone_is_not_found(backoffice: FakeBackoffice) -> None:
    error = {"error": {"code": "visit_not_found", "message": "没有找到"}}
    backoffice.on("POST", "/api/eldercare/visits/YL-20261129-0001/cancel", 404, error)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={
            "eldercare_cancel_reference": "YL-20261129-0001",
            "eldercare_cancel_phone": "13900001111",
        }
    )
    await visit_cancel.ActionCancelFacilityVisit().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_eldercare_visit_not_found"]


@pytest.mark.parametrize(
    ("step", "action"),
    [
        ("lookup", visit_cancel.ActionConfirmVisitCancellation()),
        ("cancel", visit_cancel.ActionCancelFacilityVisit()),
    ],
)
@pytest.mark.parametrize(
    ("status", "error", "said"),
    [
        (404, {"code": "visit_not_found", "message": "没有"}, "utter_eldercare_visit_not_found"),
        (429, {"code": "too_many_attempts", "message": "查询次数过多"}, "查询次数过多"),
        (503, {"code": "unavailable", "message": "维护中"}, "utter_records_unavailable"),
    ],
)
async def test_a_refused_or_failing_cancellation_says_why_and_forgets_the_answers(
    backoffice: FakeBackoffice,
    step: str,
    action: Action,
    status: int,
    error: dict[str, str],
    said: str,
) -> None:
    path = f"/api/eldercare/visits/YL-20261129-0001/{step}"
    backoffice.on("POST", path, status, {"error": error})
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(slots=CANCEL_SLOTS), EMPTY_DOMAIN)
    assert [m["response"] or m["text"] for m in dispatcher.messages] == [said]
    if said == "utter_eldercare_visit_not_found":
        assert dispatcher.messages[0]["reference"] == "YL-20261129-0001"
    assert events == [
        SlotSet("eldercare_cancel_reference", None),
        SlotSet("eldercare_cancel_phone", None),
    ]  # the visit booked here is not forgotten: it was not cancelled
