"""action_start_handoff and friends, with the back office faked by httpx.MockTransport."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from actions.clients.backoffice import BackofficeTransport
from actions.clients.handoff import HandoffApi
from core.chat import TICKET_OPENED
from core.sealing import seal
from testkit.trackers import EMPTY_DOMAIN, bot_event, make_tracker, user_event


class FakeBackoffice:
    def __init__(self, outcome: dict[str, Any] | None = None, status: int = 200) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.outcome = outcome or {
            "outcome": "queued",
            "ticket_id": 1,
            "position": 2,
            "wait_minutes": 8,
            "hours": "工作日",
        }
        self.status = status

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        self.requests.append((request.url.path, body))
        if self.status != 200:
            return httpx.Response(
                self.status, json={"error": {"code": "bad_phone", "message": "x"}}
            )
        if request.url.path.endswith("/callbacks"):
            return httpx.Response(
                200,
                json={
                    "id": 3,
                    "phone_masked": "138****5678",
                    "preferred_time": body["preferred_time"],
                    "hours": "工作日",
                },
            )
        return httpx.Response(200, json=self.outcome)


@pytest.fixture
def backoffice(monkeypatch: pytest.MonkeyPatch) -> FakeBackoffice:
    fake = FakeBackoffice()
    api = HandoffApi(
        BackofficeTransport(
            base_url="http://bo", timeout=5, transport=httpx.MockTransport(fake.handler)
        )
    )
    monkeypatch.setattr(handoff, "get_handoff_api", lambda: api)
    return fake


def offer_event() -> dict[str, Any]:
    return {"event": "bot", "text": "不好意思", "metadata": {"utter_action": "utter_offer_human"}}


async def run(
    action, tracker, domain=EMPTY_DOMAIN
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    return dispatcher.messages, events


async def test_request_opens_a_ticket_with_the_case(backoffice: FakeBackoffice) -> None:
    tracker = make_tracker(
        [
            user_event("我想预约结婚登记", "request_marriage_booking"),
            bot_event("好的"),
            {"event": "active_loop", "name": "marriage_form"},
            user_event("转人工", "request_human"),
            {"event": "action", "name": "action_deactivate_loop"},
            {"event": "active_loop", "name": None},
        ],
        slots={
            "groom_id_number": "330106199001011234",
            "requested_slot": "date",
            "handoff_reason": None,
        },
        sender_id="web-citizen-0001",
    )
    messages, events = await run(handoff.ActionStartHandoff(), tracker)
    path, body = backoffice.requests[0]
    assert path == "/api/handoff/bot/tickets"
    assert body["conversation_id"] == "web-citizen-0001"
    assert body["reason"] == "citizen_request" and body["service"] == "marriage"
    assert body["active_form"] == "marriage_form"
    assert body["slots"] == {"groom_id_number": "330106199001011234"}
    assert [line["kind"] for line in body["transcript"]] == ["citizen", "bot", "citizen"]
    assert messages[0]["response"] == "utter_handoff_queued"
    assert messages[0]["position"] == 2 and messages[0]["wait_minutes"] == 8
    # The gateway's cue to have the desk pause Rasa; the router never shows it.
    assert messages[1]["custom"] == TICKET_OPENED and len(messages) == 2
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["handoff_resume_form"] == "marriage_form" and slots["handoff_reason"] is None


async def test_references_from_before_a_restart_reach_the_case(
    backoffice: FakeBackoffice,
) -> None:
    tracker = make_tracker(
        [
            user_event("帮我预审一下低保", "request_prescreen"),
            bot_event("预审编号 YS-20261201-3FA2C1，结果仅供参考。"),
            {"event": "restart"},
            user_event("转人工", "request_human"),
        ],
        slots={"marriage_reference": "hy-20261207-0003"},
    )
    await run(handoff.ActionStartHandoff(), tracker)
    _, body = backoffice.requests[0]
    assert body["references"] == ["YS-20261201-3FA2C1", "HY-20261207-0003"]
    assert [line["text"] for line in body["transcript"]] == ["转人工"]


async def test_second_failure_then_button_is_a_bot_failed_ticket(
    backoffice: FakeBackoffice,
) -> None:
    tracker = make_tracker(
        [
            user_event("呃呃", "nlu_fallback"),
            offer_event(),
            user_event("/request_human", "request_human"),
        ]
    )
    await run(handoff.ActionStartHandoff(), tracker)
    assert backoffice.requests[0][1]["reason"] == "bot_failed"


async def test_service_step_sets_reason_and_service(backoffice: FakeBackoffice) -> None:
    tracker = make_tracker(
        [user_event("我要预审", "request_prescreen")],
        slots={"handoff_reason": "service_needs_human", "handoff_service": "prescreen"},
    )
    await run(handoff.ActionStartHandoff(), tracker)
    body = backoffice.requests[0][1]
    assert body["reason"] == "service_needs_human" and body["service"] == "prescreen"
    assert body["active_form"] is None


async def test_outside_hours_offers_a_callback(backoffice: FakeBackoffice) -> None:
    backoffice.outcome = {
        "outcome": "outside_hours",
        "hours": "工作日 8:30–12:00",
        "next_opening_text": "11月30日 08:30",
    }
    messages, events = await run(
        handoff.ActionStartHandoff(), make_tracker([user_event("转人工", "request_human")])
    )
    assert messages[0]["response"] == "utter_handoff_outside_hours"
    assert messages[0]["next_opening"] == "11月30日 08:30"
    assert all(message.get("custom") != TICKET_OPENED for message in messages)  # no ticket
    assert {
        "event": "slot",
        "name": "handoff_reason",
        "value": "citizen_request",
        "timestamp": None,
    } in events


async def test_back_office_down_gives_the_hotline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    api = HandoffApi(
        BackofficeTransport(base_url="http://bo", timeout=5, transport=httpx.MockTransport(refuse))
    )
    monkeypatch.setattr(handoff, "get_handoff_api", lambda: api)
    messages, events = await run(
        handoff.ActionStartHandoff(), make_tracker([user_event("转人工", "request_human")])
    )
    assert messages[0]["response"] == "utter_human_hotline" and events == []


async def test_continue_resumes_the_interrupted_form() -> None:
    domain = {**EMPTY_DOMAIN, "forms": {"marriage_form": {}}}
    tracker = make_tracker(
        [user_event("", "continue_conversation")], slots={"handoff_resume_form": "marriage_form"}
    )
    messages, events = await run(handoff.ActionContinueConversation(), tracker, domain)
    assert messages[0]["response"] == "utter_handoff_resume_form"
    assert {"event": "followup", "name": "marriage_form", "timestamp": None} in events
    messages, events = await run(handoff.ActionContinueConversation(), make_tracker([]), domain)
    assert messages[0]["response"] == "utter_handoff_welcome_back"


@pytest.mark.parametrize(
    ("text", "value", "response"),
    [
        ("138 1234 5678", "13812345678", None),
        ("0571-87001234", "0571-87001234", None),
        ("12345", None, "utter_handoff_phone_service_number"),
        ("没有电话", None, "utter_handoff_phone_invalid"),
    ],
)
async def test_callback_phone_validation(
    text: str, value: str | None, response: str | None
) -> None:
    dispatcher = CollectingDispatcher()
    result = await handoff.ValidateHandoffCallbackForm().validate_handoff_callback_phone(
        text, dispatcher, make_tracker([]), EMPTY_DOMAIN
    )
    assert result == {"handoff_callback_phone": value}
    assert [m["response"] for m in dispatcher.messages] == ([response] if response else [])


async def test_callback_time_validation() -> None:
    form = handoff.ValidateHandoffCallbackForm()
    dispatcher = CollectingDispatcher()
    ok = await form.validate_handoff_callback_time(
        " 明天上午 ", dispatcher, make_tracker([]), EMPTY_DOMAIN
    )
    assert ok == {"handoff_callback_time": "明天上午"}
    bad = await form.validate_handoff_callback_time(
        "好" * 80, dispatcher, make_tracker([]), EMPTY_DOMAIN
    )
    assert bad == {"handoff_callback_time": None}
    assert dispatcher.messages[-1]["response"] == "utter_handoff_time_invalid"


async def test_submit_callback(backoffice: FakeBackoffice) -> None:
    tracker = make_tracker(
        [],
        slots={
            "handoff_callback_phone": "13812345678",
            "handoff_callback_time": "明天上午",
            "handoff_service": "marriage",
        },
        sender_id="web-citizen-0002",
    )
    messages, events = await run(handoff.ActionSubmitHandoffCallback(), tracker)
    path, body = backoffice.requests[0]
    assert path == "/api/handoff/bot/callbacks"
    assert body == {
        "conversation_id": "web-citizen-0002",
        "phone": "13812345678",
        "preferred_time": "明天上午",
        "service": "marriage",
        "reason": "citizen_request",
    }
    assert (
        messages[0]["response"] == "utter_handoff_callback_saved"
        and messages[0]["phone"] == "138****5678"
    )
    assert all(e["value"] is None for e in events)


async def test_submit_callback_rejected(backoffice: FakeBackoffice) -> None:
    backoffice.status = 422
    tracker = make_tracker(
        [], slots={"handoff_callback_phone": "1", "handoff_callback_time": "明天"}
    )
    messages, _ = await run(handoff.ActionSubmitHandoffCallback(), tracker)
    assert messages[0]["response"] == "utter_handoff_phone_invalid"


def test_sealed_id_numbers_reach_the_case_masked_never_as_ciphertext() -> None:
    sealed = seal("330106199001011234")
    slots = handoff.case_slots(make_tracker(slots={"marriage_party1_id": sealed, "x": "1"}))
    assert slots == {"marriage_party1_id": "3301**********1234", "x": "1"}
