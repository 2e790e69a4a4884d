"""Pre-screen actions: form validation, the result text, corrections and the status lookup."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeTransport
from actions.clients.prescreen import PrescreenApi
from actions.prescreen import form, screening, slots, status, wording
from backoffice.records.prescreen.engine import screen
from backoffice.records.prescreen.facts import HouseholdFacts
from backoffice.records.prescreen.policy import load_policy, policy_in_force
from core.sealing import SEALED_PREFIX, seal, unseal
from core.settings import PROJECT_ROOT
from testkit.trackers import make_tracker, user_event

DOMAIN: DomainDict = yaml.safe_load(
    (PROJECT_ROOT / "bot" / "domain" / "prescreen.yml").read_text(encoding="utf-8")
)
TODAY = date(2026, 11, 28)
ENGINE_SOURCE = (PROJECT_ROOT / "backoffice/records/prescreen/engine.py").read_text("utf-8")


def use_api(monkeypatch: pytest.MonkeyPatch, module: Any, handler: Any) -> None:
    transport = BackofficeTransport(
        base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(handler)
    )
    monkeypatch.setattr(module, "get_prescreen_api", lambda: PrescreenApi(transport))


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


# --- wording ------------------------------------------------------------------------------------


def test_every_reason_the_engine_gives_has_wording_in_the_domain() -> None:
    literal = set(re.findall(r'_reason\(\s*"(\w+)"', ENGINE_SOURCE))
    families = {
        f"{prefix}_{status}"
        for prefix in re.findall(r'_reason\(\s*f"(\w+)_\{', ENGINE_SOURCE)
        for status in ("unknown", "refused")
    }
    assert literal, "the engine's reason codes were not found"
    assert literal | families <= set(wording.REASON_LINES)
    for template in wording.REASON_LINES.values():
        assert template.response in DOMAIN["responses"], template.response


def test_the_issue_example_sentence() -> None:
    reason = {
        "code": "income_below",
        "figures": {
            "per_capita_income_yuan": "1150",
            "standard_yuan": "1167",
            "year": "2025",
            "district": "西湖区",
        },
        "sample": True,
    }
    line = wording.reason_line(DOMAIN, reason)
    assert line == "· 家庭月人均收入 1,150 元，低于 2025 年西湖区低保标准 1,167 元（示例值）"


@pytest.mark.parametrize(("raw", "shown"), [("28008", "28,008"), ("1166.67", "1,166.67")])
def test_amounts_get_thousands_separators(raw: str, shown: str) -> None:
    assert wording.format_yuan(raw) == shown


def test_every_real_result_renders_without_leftover_placeholders() -> None:
    policy = policy_in_force(load_policy(PROJECT_ROOT / "knowledge/policies/assistance.yml"), TODAY)
    cases = [
        {"district": "xihu", "household_size": 2, "monthly_income": "2300", "savings": "1000",
         "has_vehicle": True, "has_extra_housing": False, "circumstances": ["large_expense"]},
        {"district": "chunan", "household_size": 1, "monthly_income": "1500", "savings": None,
         "savings_status": "refused", "circumstances": ["severe_disability", "sudden_emergency"]},
        {"residence": "permit", "district": None, "circumstances_status": "unknown"},
    ]  # fmt: skip
    for case in cases:
        for result in screen(HouseholdFacts.model_validate(case), policy):
            values = wording.programme_values(DOMAIN, result.model_dump(mode="json"))
            assert not re.search(r"\{\w+\}", values["reasons"]), values["reasons"]
            assert values["outcome"] in ("可能符合", "可能不符合", "需要人工评估")


# --- form validation ----------------------------------------------------------------------------


def validate(slot: str, text: str, **slot_values: Any) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event(text, "describe_household")], slots=slot_values)
    method = getattr(form.ValidatePrescreenForm(), f"validate_{slot}")
    result = method(text, dispatcher, tracker, DOMAIN)
    return result, responses(dispatcher)


def test_district_by_name_and_the_former_district_notice() -> None:
    assert validate(slots.DISTRICT, "户口在西湖区")[0] == {slots.DISTRICT: "xihu"}
    result, said = validate(slots.DISTRICT, "下城区")
    assert result[slots.DISTRICT] == "gongshu"
    assert said == ["utter_prescreen_district_merged"]


def test_a_split_district_asks_which() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("江干区", "describe_household")])
    result = form.ValidatePrescreenForm().validate_prescreen_district(
        "江干区", dispatcher, tracker, DOMAIN
    )
    assert result[slots.DISTRICT] is None
    [message] = dispatcher.messages
    assert [b["title"] for b in message["buttons"]] == ["上城区", "钱塘区"]


@pytest.mark.parametrize(
    ("text", "residence"),
    [
        ("外地户口，有杭州居住证", "permit"),
        ("外地户口，没有居住证", "none"),
        ("我是外地的", "outside"),
    ],
)
def test_residence_permit_answers(text: str, residence: str) -> None:
    result, said = validate(slots.DISTRICT, text)
    assert result == {slots.DISTRICT: None, slots.RESIDENCE: residence}
    assert said == []


def test_an_unknown_district_says_so() -> None:
    result, said = validate(slots.DISTRICT, "火星")
    assert result == {slots.DISTRICT: None}
    assert said == ["utter_prescreen_invalid_district"]


def test_unsure_about_a_number_first_asks_for_an_estimate_then_marks_it_unknown() -> None:
    first, said = validate(slots.INCOME, "不清楚")
    assert first[slots.INCOME] is None
    assert first[slots.UNSURE] == [slots.INCOME]
    assert said == ["utter_prescreen_estimate_amount"]
    second, said = validate(slots.INCOME, "真不知道", prescreen_unsure=[slots.INCOME])
    assert second[slots.INCOME] == {"status": "unknown", "value": None}
    assert said == ["utter_prescreen_marked_unknown"]


def test_unsure_about_household_size_explains_who_counts() -> None:
    _, said = validate(slots.HOUSEHOLD_SIZE, "不清楚")
    assert said == ["utter_prescreen_estimate_household_size"]


def test_refusing_marks_the_item_for_a_person() -> None:
    result, said = validate(slots.SAVINGS, "这个不方便透露")
    assert result == {slots.SAVINGS: {"status": "refused", "value": None}}
    assert said == ["utter_prescreen_marked_refused"]


async def test_no_income_with_a_salary_asks_which_is_right() -> None:
    result, _ = validate(slots.INCOME, "没收入，就我老公每月打零工两千")
    assert result == {slots.INCOME: None, slots.INCOME_CANDIDATE: "2000"}
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={slots.INCOME_CANDIDATE: "2000"})
    await form.ActionAskPrescreenIncome().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_prescreen_confirm_income"
    assert message["amount"] == "2,000"


def test_confirming_the_amount_takes_it() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("对", "affirm")], slots={slots.INCOME_CANDIDATE: "2000"})
    result = form.ValidatePrescreenForm().validate_prescreen_income(
        "对", dispatcher, tracker, DOMAIN
    )
    assert result[slots.INCOME] == {"status": "given", "value": "2000"}


def test_a_yearly_income_is_echoed_per_month() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("一年五万左右", "describe_household")])
    result = form.ValidatePrescreenForm().validate_prescreen_income(
        "一年五万左右", dispatcher, tracker, DOMAIN
    )
    assert result[slots.INCOME]["value"] == "4166.67"
    [message] = dispatcher.messages
    assert (message["yearly"], message["monthly"]) == ("50,000", "4,166.67")


def test_already_parsed_answers_pass_through() -> None:
    answer = {"status": "given", "value": 3}
    assert validate(slots.HOUSEHOLD_SIZE, "x")[0] != {slots.HOUSEHOLD_SIZE: answer}
    dispatcher = CollectingDispatcher()
    result = form.ValidatePrescreenForm().validate_prescreen_household_size(
        answer, dispatcher, make_tracker(), DOMAIN
    )
    assert result == {slots.HOUSEHOLD_SIZE: answer}


async def test_the_correction_field_is_asked_only_when_pending() -> None:
    validator = form.ValidatePrescreenForm()
    domain_slots = DOMAIN["forms"]["prescreen_form"]["required_slots"]
    dispatcher = CollectingDispatcher()
    normal = await validator.required_slots(domain_slots, dispatcher, make_tracker(), DOMAIN)
    assert slots.CORRECTION_FIELD not in normal
    pending = make_tracker(slots={slots.CORRECTION_PENDING: True})
    assert (await validator.required_slots(domain_slots, dispatcher, pending, DOMAIN))[0] == (
        slots.CORRECTION_FIELD
    )


# --- running the pre-screen ---------------------------------------------------------------------

FILLED = {
    slots.DISTRICT: "xihu",
    slots.HOUSEHOLD_SIZE: {"status": "given", "value": 2},
    slots.INCOME: {"status": "given", "value": "2300", "approximate": False},
    slots.SAVINGS: {"status": "given", "value": "10000"},
    slots.ASSETS: {"status": "given", "value": {"vehicle": False, "extra_housing": False}},
    slots.CIRCUMSTANCES: {"status": "given", "value": []},
}


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


# --- corrections --------------------------------------------------------------------------------


async def correct(
    text: str, entities: list[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event(text, "correct_prescreen_answer", entities)], slots=FILLED)
    events = await screening.ActionCorrectPrescreenAnswer().run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events}, responses(dispatcher)


async def test_a_correction_with_the_new_value_sets_it() -> None:
    changed, said = await correct("收入说错了，应该是三千")
    assert changed[slots.INCOME]["value"] == "3000"
    assert changed[slots.REFERENCE] is None
    assert said == ["utter_prescreen_corrected"]


async def test_a_correction_without_a_value_asks_that_item_again() -> None:
    changed, said = await correct("存款改一下")
    assert changed[slots.SAVINGS] is None
    assert said == ["utter_prescreen_correct_again"]


async def test_a_correction_without_a_field_asks_which() -> None:
    changed, said = await correct("我说错了")
    assert changed[slots.CORRECTION_PENDING] is True
    assert slots.INCOME not in changed
    assert said == []


async def test_a_correction_button_names_the_field() -> None:
    entity = [{"entity": "prescreen_field", "value": "household_size"}]
    changed, _ = await correct(
        '/correct_prescreen_answer{"prescreen_field": "household_size"}', entity
    )
    assert changed[slots.HOUSEHOLD_SIZE] is None


# --- application status -------------------------------------------------------------------------

APPLICATION = {
    "reference": "SQ-2026-000101",
    "programme": "dibao",
    "district_code": "xihu",
    "applicant_masked": "王**",
    "stage": "investigating",
    "submitted_on": "2026-11-10",
    "stage_updated_on": "2026-11-20",
    "sample": True,
}


@pytest.mark.parametrize(
    ("text", "value", "said"),
    [
        ("我的身份证是 330106 19580312 0026", "330106195803120026", []),
        ("330106195803120027", None, ["utter_prescreen_invalid_id_checksum"]),
        ("3301061958", None, ["utter_prescreen_invalid_id_length"]),
    ],
)
def test_id_number_validation(text: str, value: str | None, said: list[str]) -> None:
    dispatcher = CollectingDispatcher()
    result = status.ValidateApplicationStatusForm().validate_status_id_number(
        text, dispatcher, make_tracker(), DOMAIN
    )
    kept = result[status.ID_NUMBER]
    # A valid number is kept sealed: the tracker store never sees it in clear.
    assert unseal(kept) == value
    assert kept is None or (kept.startswith(SEALED_PREFIX) and "330106" not in kept)
    assert responses(dispatcher) == said


@pytest.mark.parametrize(
    ("text", "value", "said"),
    [
        ("138 0000 0001", "13800000001", []),
        ("12345", None, ["utter_prescreen_invalid_phone_service"]),
        ("138000", None, ["utter_prescreen_invalid_phone"]),
    ],
)
def test_phone_validation(text: str, value: str | None, said: list[str]) -> None:
    dispatcher = CollectingDispatcher()
    result = status.ValidateApplicationStatusForm().validate_status_phone(
        text, dispatcher, make_tracker(), DOMAIN
    )
    assert result == {status.PHONE: value}
    assert responses(dispatcher) == said


async def check_status(dispatcher: CollectingDispatcher, *, phone: str) -> list[EventType]:
    """Run the status look-up with a sealed ID number (as the form leaves it) and `phone`."""
    sealed_id = seal("330106195803120026")
    tracker = make_tracker(slots={status.ID_NUMBER: sealed_id, status.PHONE: phone})
    return await status.ActionCheckApplicationStatus().run(dispatcher, tracker, DOMAIN)


async def test_status_found_tells_the_stage_and_forgets_the_identifiers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=APPLICATION)

    use_api(monkeypatch, status, handler)
    dispatcher = CollectingDispatcher()
    events = await check_status(dispatcher, phone="13800000001")
    assert sent == [{"id_number": "330106195803120026", "phone": "13800000001"}]
    [message] = dispatcher.messages
    assert message["response"] == "utter_prescreen_status_investigating"
    assert message["programme"] == "最低生活保障（低保）"
    assert message["district"] == "西湖区"
    assert events == [SlotSet(status.ID_NUMBER, None), SlotSet(status.PHONE, None)]


async def test_status_not_found_shows_only_the_masked_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_api(
        monkeypatch,
        status,
        lambda request: httpx.Response(
            404, json={"error": {"code": "application_not_found", "message": "没有找到"}}
        ),
    )
    dispatcher = CollectingDispatcher()
    await check_status(dispatcher, phone="13800000009")
    [message] = dispatcher.messages
    assert message["response"] == "utter_prescreen_status_not_found"
    assert message["id_masked"] == "3301**********0026"


async def test_too_many_lookups_are_refused_with_the_back_offices_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_api(
        monkeypatch,
        status,
        lambda request: httpx.Response(
            429, json={"error": {"code": "too_many_attempts", "message": "查询次数过多"}}
        ),
    )
    dispatcher = CollectingDispatcher()
    events = await check_status(dispatcher, phone="13800000009")
    assert [message.get("text") for message in dispatcher.messages] == ["查询次数过多"]
    assert events == [SlotSet(status.ID_NUMBER, None), SlotSet(status.PHONE, None)]


@pytest.mark.parametrize("code", [403, 500])
async def test_a_refused_or_failing_status_lookup_apologises_and_forgets_the_identifiers(
    monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    use_api(
        monkeypatch,
        status,
        lambda request: httpx.Response(
            code, json={"error": {"code": "refused", "message": "不能查询"}}
        ),
    )
    dispatcher = CollectingDispatcher()
    events = await check_status(dispatcher, phone="13800000009")
    assert responses(dispatcher) == ["utter_records_unavailable"]
    assert events == [SlotSet(status.ID_NUMBER, None), SlotSet(status.PHONE, None)]


async def test_status_is_never_looked_up_with_one_identifier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the back office must not be asked")

    use_api(monkeypatch, status, fail)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={status.ID_NUMBER: "330106195803120026"})
    await status.ActionCheckApplicationStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_prescreen_status_needs_both"]


def test_amount_formatting_of_decimal_candidates() -> None:
    assert wording.format_yuan(str(Decimal("2000"))) == "2,000"


@pytest.mark.parametrize(
    "slot",
    [
        slots.DISTRICT,
        slots.HOUSEHOLD_SIZE,
        slots.INCOME,
        slots.SAVINGS,
        slots.ASSETS,
        slots.CIRCUMSTANCES,
        slots.CORRECTION_FIELD,
    ],
)
def test_a_cleared_answer_is_not_complained_about(slot: str) -> None:
    dispatcher = CollectingDispatcher()
    method = getattr(form.ValidatePrescreenForm(), f"validate_{slot}")
    assert method(None, dispatcher, make_tracker(), DOMAIN) == {slot: None}
    assert dispatcher.messages == []


@pytest.mark.parametrize("text", ["不想说", "不清楚"])
def test_a_district_not_given_is_recorded_as_unknown(text: str) -> None:
    result, _ = validate(slots.DISTRICT, text)
    assert result == {slots.DISTRICT: slots.UNKNOWN_DISTRICT}
    tracker = make_tracker(slots={slots.DISTRICT: slots.UNKNOWN_DISTRICT})
    assert slots.household_facts(tracker)["district"] is None


async def test_an_answer_mistaken_for_a_correction_answers_the_question() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user_event("一个月差不多两千五", "correct_prescreen_answer")],
        slots={slots.DISTRICT: "xihu", "requested_slot": slots.INCOME},
        active_loop="prescreen_form",
    )
    events = await screening.ActionCorrectPrescreenAnswer().run(dispatcher, tracker, DOMAIN)
    assert events == [
        SlotSet(slots.INCOME, {"status": "given", "value": "2500", "approximate": True,
                               "period": "month"})
    ]  # fmt: skip
    assert dispatcher.messages == []


async def test_a_correction_without_a_prescreen_asks_back() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("请查询天津市到哈尔滨的车", "correct_prescreen_answer")])
    events = await screening.ActionCorrectPrescreenAnswer().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_confirm_request_prescreen"]
    assert events == [{"event": "followup", "name": "action_listen", "timestamp": None}]
