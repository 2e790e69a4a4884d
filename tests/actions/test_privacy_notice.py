"""The privacy notice before the first ID number or phone of each service (issue 20, item 7).

The form cases run the real validation actions through the action server's executor with the real
domain, as Rasa calls them: the notice is the last message of the validation that comes just
before Rasa asks for the first ID number or phone, it is told once, and not before other questions.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet

from actions import privacy_notice as pn
from actions.server import SealingActionExecutor
from connectors.telegram import rendering as telegram_rendering
from connectors.wechat import rendering as wechat_rendering
from core import sealing
from core.chat import BotMessage
from core.privacy import load_privacy
from core.settings import PROJECT_ROOT, get_settings
from testkit.trackers import bot_event, user_event

DOMAIN_DIR = PROJECT_ROOT / "bot" / "domain"
ASKS_FOR_NUMBER = ("身份证", "手机", "电话")
SUMMARIES = {"donation_confirmed"}  # shows the phone already given, asks for none


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "slot_sealing_key", Fernet.generate_key().decode())
    monkeypatch.setattr(get_settings(), "site_origin", "https://minzheng.example.gov.cn")
    sealing._fernet.cache_clear()


@cache
def domain() -> dict[str, Any]:
    """The parts of the real domain the executor and the forms read."""
    merged: dict[str, Any] = {"forms": {}, "slots": {}, "responses": {}}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in merged:
            merged[key].update(part.get(key) or {})
    return merged


@cache
def executor() -> SealingActionExecutor:
    actions = SealingActionExecutor()
    actions.register_package("actions")
    return actions


def call(
    action: str,
    events: list[dict[str, Any]],
    slots: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Run `action` as Rasa would on a conversation of `events`; returns its messages."""
    user: dict[str, Any] = next((e for e in reversed(events) if e["event"] == "user"), {})
    tracker = {
        "sender_id": "web-privacy",
        "slots": slots or {},
        "latest_message": {"text": user.get("text"), **user.get("parse_data", {})},
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    result = asyncio.run(
        executor().run({"next_action": action, "tracker": tracker, "domain": domain()})
    )
    assert result is not None
    return result.responses


def notices(messages: list[dict[str, Any]]) -> list[str]:
    return [str(m[pn.METADATA_KEY]) for m in messages if m.get(pn.METADATA_KEY)]


def told(service: str) -> dict[str, Any]:
    """The notice's bot event as Rasa stores it (a message's extra keys become its metadata)."""
    return {**bot_event("【个人信息说明】…"), "metadata": {pn.METADATA_KEY: service}}


def answered(slot: str, value: object, text: str, intent: str) -> list[dict[str, Any]]:
    """A citizen's answer and the slot Rasa extracted from it (the candidate to validate)."""
    return [
        user_event(text, intent),
        {"event": "slot", "name": slot, "value": value},
    ]


# Each form, one turn before its first ID number or phone: (validation action, service, the
# conversation's events, slots before the answer, the slot asked next).
FORM_CASES = [
    pytest.param(
        "validate_marriage_form",
        "marriage",
        [user_event("张伟", "inform_marriage_details")],
        {
            "marriage_business_type": "marriage",
            "marriage_office": "xihu",
            "marriage_date": "2030-01-08",
            "marriage_half_day": "am",
            "requested_slot": "marriage_party1_name",
        },
        id="marriage booking: after the own name, before the own ID",
    ),
    pytest.param(
        "validate_donation_form",
        "donation",
        answered("receipt_wanted", False, "不需要", "deny"),
        {
            "charity_project": "CP001",
            "donation_amount": 200,
            "donor_name": "张伟",
            "requested_slot": "receipt_wanted",
        },
        id="donation pledge: no receipt, before the phone",
    ),
    pytest.param(
        "validate_donation_form",
        "donation",
        answered("receipt_title", "张伟", "张伟", "inform"),
        {
            "charity_project": "CP001",
            "donation_amount": 200,
            "donor_name": "张伟",
            "receipt_wanted": True,
            "receipt_kind": "person",
            "requested_slot": "receipt_title",
        },
        id="donation pledge: personal receipt, before the ID",
    ),
    pytest.param(
        "validate_pledge_lookup_form",
        "donation",
        answered("pledge_reference", "CS-20261128-0001", "CS-20261128-0001", "inform"),
        {"requested_slot": "pledge_reference"},
        id="pledge look-up: after the reference, before the phone",
    ),
    pytest.param(
        "validate_eldercare_visit_form",
        "eldercare",
        [user_event("王芳", "inform_eldercare")],
        {
            "eldercare_visit_facility": "YL001",
            "eldercare_visit_date": "2030-01-08",
            "eldercare_visit_half_day": "am",
            "requested_slot": "eldercare_visitor_name",
        },
        id="eldercare visit: after the visitor's name, before the phone",
    ),
    pytest.param(
        "validate_eldercare_cancel_form",
        "eldercare",
        [user_event("YL-20261203-0001", "inform_eldercare")],
        {"requested_slot": "eldercare_cancel_reference"},
        id="eldercare cancellation: after the reference, before the phone",
    ),
    pytest.param(
        "validate_application_status_form",
        "prescreen_status",
        [user_event("查一下我的低保申请进度", "check_application_status")],
        {},
        id="application status: at activation, before the ID",
    ),
    pytest.param(
        "validate_handoff_callback_form",
        "callback",
        [user_event("/request_callback", "request_callback")],
        {},
        id="call-back: at activation, before the phone",
    ),
]


@pytest.mark.parametrize(("action", "service", "events", "slots"), FORM_CASES)
def test_each_form_tells_the_notice_once_just_before_the_first_number(
    action: str, service: str, events: list[dict[str, Any]], slots: dict[str, Any]
) -> None:
    messages = call(action, events, slots)
    assert notices(messages) == [service], messages
    assert messages[-1][pn.METADATA_KEY] == service, "the last message: Rasa asks right after it"
    text = messages[-1]["text"]
    assert "https://minzheng.example.gov.cn/privacy" in text and "算了" in text
    assert "\n\n" not in text, "a blank line would split the notice into several messages"

    again = call(action, [told(service), *events], slots)
    assert notices(again) == [], "told once per conversation"
    new_session = call(action, [told(service), {"event": "session_started"}, *events], slots)
    assert notices(new_session) == [service], "a new session tells it again"


def test_no_notice_before_a_question_that_asks_for_no_number() -> None:
    office_answered = call(
        "validate_marriage_form",
        [user_event("西湖区", "inform_marriage_details")],
        {"marriage_business_type": "marriage", "requested_slot": "marriage_office"},
    )
    assert notices(office_answered) == []
    first_question = call(
        "validate_donation_form",
        [user_event("我要捐款", "pledge_donation")],
        {},
    )
    assert notices(first_question) == []


def test_another_service_has_its_own_notice_in_the_same_conversation() -> None:
    messages = call(
        "validate_handoff_callback_form",
        [told("marriage"), user_event("/request_callback", "request_callback")],
    )
    assert notices(messages) == ["callback"]


def test_the_marriage_lookup_tells_it_before_its_introduction_asks_for_the_phone() -> None:
    start = [user_event("查一下我的结婚预约", "check_marriage_booking")]
    messages = call("action_start_marriage_lookup", start)
    assert [m.get("response") or m.get(pn.METADATA_KEY) for m in messages] == [
        "marriage",
        "utter_marriage_lookup_intro",
    ]
    assert notices(call("action_start_marriage_lookup", [told("marriage"), *start])) == []
    form_start = call(
        "validate_marriage_lookup_form",
        [*start, told("marriage")],
        {"marriage_lookup_reference": "HY-20261201-0007"},
    )
    assert notices(form_start) == [], "the form asks for the proof next: already told"


def test_a_finished_or_rejected_form_asks_nothing() -> None:
    tracker = {"slots": {"status_id_number": None}, "events": []}
    ends = [{"event": "slot", "name": "requested_slot", "value": None}]
    assert pn.next_form_slot("validate_application_status_form", tracker, domain(), ends) is None
    stops = [{"event": "active_loop", "name": None}]
    assert pn.next_form_slot("validate_application_status_form", tracker, domain(), stops) is None
    chosen = [{"event": "slot", "name": "requested_slot", "value": "status_phone"}]
    assert (
        pn.next_form_slot("validate_application_status_form", tracker, domain(), chosen)
        == "status_phone"
    )
    assert pn.next_form_slot("action_start_handoff", tracker, domain(), []) is None
    assert pn.next_form_slot("validate_unknown_form", tracker, domain(), []) is None


def test_every_question_for_an_id_or_phone_is_covered() -> None:
    """A new form slot asking for a number must be added to PERSONAL_SLOTS."""
    responses = domain()["responses"]
    form_slots = {
        slot for form in domain()["forms"].values() for slot in form.get("required_slots") or []
    }
    asking = {
        slot
        for slot in form_slots - SUMMARIES
        if any(
            word in variant.get("text", "")
            for variant in responses.get(f"utter_ask_{slot}", [])
            for word in ASKS_FOR_NUMBER
        )
    }
    assert asking == set(pn.PERSONAL_SLOTS)
    for name in pn.ASKING_RESPONSES:
        assert any(word in responses[name][0]["text"] for word in ASKS_FOR_NUMBER)


def test_every_service_has_its_entry_in_the_shared_privacy_text() -> None:
    text = load_privacy(retention_days=30)
    services = {*pn.PERSONAL_SLOTS.values(), *pn.ASKING_RESPONSES.values()}
    assert services == set(text.services)
    notice = text.short_notice("marriage", page_url="https://x/privacy")
    assert "30 天" in notice and text.services["marriage"].why in notice


def test_the_link_falls_back_to_the_local_web_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "site_origin", "")
    monkeypatch.setattr(get_settings(), "backoffice_url", "http://127.0.0.1:8000/")
    assert "http://127.0.0.1:8000/privacy" in pn.notice_message("callback")["text"]


def test_the_notice_follows_what_the_validation_said_and_precedes_the_question() -> None:
    """Rasa sends the validation's messages, then asks: the notice goes between them."""
    said = [{"text": "好的，记下了。", "response": None}]
    action_call = {
        "next_action": "validate_eldercare_visit_form",
        "tracker": {"slots": {}, "events": []},
        "domain": domain(),
    }
    events = [
        {"event": "slot", "name": slot, "value": "x"}
        for slot in domain()["forms"]["eldercare_visit_form"]["required_slots"][:-1]
    ]
    messages = pn.with_privacy_notice(action_call, events, said)
    assert messages[0] == said[0] and notices(messages[1:]) == ["eldercare"]
    assert pn.with_privacy_notice(action_call, events[:-1], said) is said


@pytest.mark.parametrize("service", sorted(load_privacy(retention_days=180).services))
def test_the_notice_reads_well_on_telegram_and_wechat(service: str) -> None:
    text = pn.notice_message(service)["text"]
    link = "https://minzheng.example.gov.cn/privacy"
    assert f'<a href="{link}">{link}</a>' in telegram_rendering.to_html(text)
    assert wechat_rendering.render([BotMessage(text=text)]).texts == [text], "one WeChat message"
