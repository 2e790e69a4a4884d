"""Running the pre-screen against a fake back office: the result per programme, an outage."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.prescreen import screening, slots
from backoffice.records.prescreen.engine import screen
from backoffice.records.prescreen.facts import HouseholdFacts
from backoffice.records.prescreen.policy import load_policy, policy_in_force
from core.settings import PROJECT_ROOT
from testkit.trackers import make_tracker
from tests.actions.prescreen_support import DOMAIN, FILLED, TODAY, responses, use_api


def engine_reply(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    facts = HouseholdFacts.model_validate(body["facts"])
    policy = policy_in_force(
        load_policy(PROJECT_ROOT / "knowledge/policies/assistance.yml"),
        TODAY,
    )
    results = [r.model_dump(mode="json") for r in screen(facts, policy)]
    return httpx.Response(
        200,
        json={
            "reference": "YS-20261128-ABC123",
            "as_of": "2026-11-28",
            "policy_version": policy.version_label,
            "programmes": results,
            "application": {
                "where": "户籍所在地的街道",
                "where_permit": "居住地街道",
                "online": "也可以网上申请",
                "documents": ["身份证", "户口簿"],
                "sample": True,
            },
            "income_excluded": [],
        },
    )


async def test_the_result_is_explained_per_programme(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return engine_reply(request)

    use_api(monkeypatch, screening, handler)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=FILLED, sender_id="web-abc")
    events = await screening.ActionPrescreenHousehold().run(dispatcher, tracker, DOMAIN)
    assert events[0] == SlotSet(slots.REFERENCE, "YS-20261128-ABC123")
    assert sent[0]["conversation_id"] == "web-abc"
    assert sent[0]["facts"]["monthly_income"] == "2300"
    assert sent[0]["facts"]["household_size"] == 2
    # One short message; the reasons, the disclaimer and how to apply come on request.
    assert responses(dispatcher) == ["utter_prescreen_verdict"]
    assert "· 低保：可能符合" in dispatcher.messages[0]["verdicts"]
    details = CollectingDispatcher()
    later = make_tracker(slots={slots.DETAILS: events[1]["value"]})
    assert await screening.ActionShowPrescreenDetails().run(details, later, DOMAIN) == []
    assert responses(details) == [
        *["utter_prescreen_programme"] * 4,
        "utter_prescreen_disclaimer",
        "utter_prescreen_how_to_apply",
        "utter_prescreen_offer_review",
    ]
    dibao = details.messages[0]
    assert dibao["programme"] == "最低生活保障（低保）"
    assert dibao["outcome"] == "可能符合"
    assert (
        "家庭月人均收入 1,150 元，低于 2025 年西湖区低保标准 1,167 元（示例值）" in dibao["reasons"]
    )
    assert "· 身份证" in details.messages[5]["documents"]


async def test_unknown_answers_are_sent_as_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return engine_reply(request)

    use_api(monkeypatch, screening, handler)
    filled = FILLED | {
        slots.DISTRICT: slots.UNKNOWN_DISTRICT,
        slots.INCOME: {"status": "refused", "value": None},
    }
    dispatcher = CollectingDispatcher()
    await screening.ActionPrescreenHousehold().run(dispatcher, make_tracker(slots=filled), DOMAIN)
    facts = sent[0]["facts"]
    assert facts["district"] is None
    assert (facts["monthly_income"], facts["income_status"]) == (None, "refused")
    assert "· 低保：需要人工评估" in dispatcher.messages[0]["verdicts"]


async def test_back_office_down_keeps_the_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    use_api(monkeypatch, screening, refuse)
    dispatcher = CollectingDispatcher()
    events = await screening.ActionPrescreenHousehold().run(
        dispatcher, make_tracker(slots=FILLED), DOMAIN
    )
    assert events == []
    assert responses(dispatcher) == ["utter_prescreen_unavailable"]


async def test_starting_clears_an_earlier_prescreen() -> None:
    dispatcher = CollectingDispatcher()
    events = await screening.ActionStartPrescreen().run(
        dispatcher, make_tracker(slots=FILLED), DOMAIN
    )
    assert responses(dispatcher) == ["utter_prescreen_intro"]
    assert {e["name"] for e in events} == set(slots.ALL_SLOTS)
    assert all(e["value"] is None for e in events)
