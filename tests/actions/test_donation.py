"""Donation actions against a fake back office (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.backoffice import BackofficeTransport
from actions.clients.donation import DonationApi, Project
from actions.donation import browse, goods, lookup, pledge, pledge_submit
from actions.donation.parsing import (
    clean_title,
    find_reference,
    match_project,
    receipt_kind_from_text,
    wants_anonymous,
    yuan,
)
from core.sealing import SEALED_PREFIX, unseal
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event

PROJECTS: list[dict[str, Any]] = [
    {
        "code": "general-fund", "name": "慈善综合基金（不限定用途）", "theme": "general",
        "theme_name": "不限定用途", "general_fund": True, "organiser": "杭州市慈善总会（示例）",
        "description": "统筹使用", "target": None, "raised": "0.00", "progress_percent": None,
        "status": "active", "fundraising_record_no": "示例-0", "recommended": False,
        "sample": True,
    },
    {
        "code": "edu-lunch-2026", "name": "山区学生营养午餐", "theme": "education",
        "theme_name": "助学", "general_fund": False, "organiser": "杭州市慈善总会（示例）",
        "description": "午餐补贴", "target": "500000.00", "raised": "186400.00",
        "progress_percent": 37, "status": "active", "fundraising_record_no": "示例-1",
        "recommended": True, "sample": True,
    },
    {
        "code": "elder-meal-2026", "name": "高龄独居老人爱心助餐", "theme": "elderly",
        "theme_name": "助老", "general_fund": False, "organiser": "杭州市慈善总会（示例）",
        "description": "助餐", "target": "300000.00", "raised": "98500.00",
        "progress_percent": 32, "status": "active", "fundraising_record_no": "示例-3",
        "recommended": True, "sample": True,
    },
    {
        "code": "edu-college-2026", "name": "困难家庭大学新生圆梦助学", "theme": "education",
        "theme_name": "助学", "general_fund": False, "organiser": "杭州市慈善总会（示例）",
        "description": "新生资助", "target": "800000.00", "raised": "512000.00",
        "progress_percent": 64, "status": "active", "fundraising_record_no": "示例-2",
        "recommended": False, "sample": True,
    },
]  # fmt: skip
POLICY = {
    "minimum": "1",
    "staff_confirmation_above": "50000",
    "payment_channels": "请通过官方网站付款（示例）",
    "never_ask": "我们不会索要验证码",
    "sample": True,
    "updated": "2026-11-28",
}
Handler = Callable[[httpx.Request], httpx.Response]


class FakeBackoffice:
    """Answers like the donation API and records what it was sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.pledge_response: httpx.Response = httpx.Response(
            201,
            json={
                "reference": "CS-20261128-0001", "project_code": "edu-lunch-2026",
                "project_name": "山区学生营养午餐", "amount": "200.00", "status": "pending",
                "payment_channels": "请通过官方网站付款（示例）", "never_ask": "我们不会索要验证码",
            },
        )  # fmt: skip
        self.lookup_response: httpx.Response = httpx.Response(404, json={"error": {
            "code": "pledge_not_found", "message": "没有找到"}})  # fmt: skip

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path, params = request.url.path, request.url.params
        if path == "/api/donation/projects":
            rows = PROJECTS
            if params.get("theme"):
                rows = [p for p in rows if p["theme"] == params["theme"]]
            if params.get("recommended"):
                rows = [p for p in rows if p["recommended"]]
            return httpx.Response(200, json=rows)
        if path.startswith("/api/donation/projects/"):
            code = path.rsplit("/", 1)[-1]
            found = [p for p in PROJECTS if p["code"] == code]
            if not found:
                return httpx.Response(404, json={"error": {"code": "project_not_found",
                                                           "message": "没有找到"}})  # fmt: skip
            return httpx.Response(200, json=found[0])
        if path == "/api/donation/themes":
            themes = [
                {"code": "education", "name": "助学"},
                {"code": "general", "name": "不限定用途"},
            ]
            return httpx.Response(200, json=themes)
        if path == "/api/donation/policy":
            return httpx.Response(200, json=POLICY)
        if path == "/api/donation/pledges":
            return self.pledge_response
        if path == "/api/donation/pledges/lookup":
            return self.lookup_response
        if path == "/api/donation/goods":
            point = {
                "code": "xihu-hub",
                "name": "西湖区慈善超市（示例）",
                "district": "西湖区",
                "address": "地址待核实，请拨打 12345 或咨询所在社区",
                "hours": "待核实，请事先电话确认",
                "categories": ["clothing"],
                "sample": True,
            }
            categories = [
                {"code": "clothing", "name": "衣物被褥", "note": ""},
                {"code": "books", "name": "图书文具", "note": ""},
            ]
            info = {
                "categories": categories,
                "not_accepted": "药品",
                "where_to_give": "具体收捐地点请拨打 12345 或咨询所在社区。",
                "points": [point],
            }
            return httpx.Response(200, json=info)
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "?"}})

    def sent_json(self, path: str) -> dict[str, Any]:
        [request] = [r for r in self.requests if r.url.path == path]
        body: dict[str, Any] = json.loads(request.content)
        return body


@pytest.fixture
def backoffice(monkeypatch: pytest.MonkeyPatch) -> FakeBackoffice:
    fake = FakeBackoffice()
    api = DonationApi(
        BackofficeTransport(
            base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(fake)
        )
    )
    for module in (browse, pledge, pledge_submit, lookup, goods):
        monkeypatch.setattr(module, "get_donation_api", lambda: api)
    return fake


@pytest.fixture
def down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    api = DonationApi(
        BackofficeTransport(
            base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(refuse)
        )
    )
    for module in (browse, pledge, pledge_submit, lookup, goods):
        monkeypatch.setattr(module, "get_donation_api", lambda: api)


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# --- parsing ----------------------------------------------------------------------------------


def projects() -> list[Project]:
    return [Project.model_validate(p) for p in PROJECTS]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("edu-lunch-2026", ["edu-lunch-2026"]),
        ("营养午餐", ["edu-lunch-2026"]),
        ("就捐山区学生营养午餐吧", ["edu-lunch-2026"]),
        ("老人助餐那个", ["elder-meal-2026"]),
        ("不限定用途", ["general-fund"]),
        ("哪里最需要就捐哪里", ["general-fund"]),
        ("助学的", ["edu-lunch-2026", "edu-college-2026"]),
        ("大学新生", ["edu-college-2026"]),
        ("随便写点什么", ["general-fund"]),
        ("火星探索", []),
    ],
)
def test_match_project(text: str, codes: list[str]) -> None:
    assert [p.code for p in match_project(text, projects())] == codes


def test_anonymous_and_receipt_kind_and_title() -> None:
    assert wants_anonymous("我想匿名")
    assert wants_anonymous("不留名")
    assert not wants_anonymous("张三")
    assert receipt_kind_from_text("个人") == "person"
    assert receipt_kind_from_text("开给我们公司") == "company"
    assert receipt_kind_from_text("company") == "company"
    assert receipt_kind_from_text("随便") is None
    assert clean_title("杭州某某科技有限公司") == "杭州某某科技有限公司"
    assert clean_title("1") is None


@pytest.mark.parametrize(
    ("text", "reference"),
    [("CS-20261128-0001", "CS-20261128-0001"), ("我的编号是cs20261128 0001", "CS-20261128-0001"),
     ("ＣＳ－２０２６１１２８－０００１", "CS-20261128-0001"), ("20261128", None), ("", None)],
)  # fmt: skip
def test_find_reference(text: str, reference: str | None) -> None:
    assert find_reference(text) == reference


def test_yuan() -> None:
    from decimal import Decimal

    assert yuan(Decimal("200.00")) == "200"
    assert yuan(Decimal("12000")) == "12,000"
    assert yuan(Decimal("1.5")) == "1.50"


# --- browsing ---------------------------------------------------------------------------------


async def test_browse_without_theme_offers_themes(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("有什么慈善项目", "browse_charity_projects")])
    await browse.ActionListCharityProjects().run(dispatcher, tracker, EMPTY_DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_donation_choose_theme"
    assert [b["title"] for b in message["buttons"]] == ["助学"]
    assert "education" in message["buttons"][0]["payload"]


async def test_browse_recommended_lists_progress(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    entity = {"entity": "charity_theme", "value": "recommended"}
    tracker = make_tracker([user_event("推荐", "browse_charity_projects", [entity])])
    events = await browse.ActionListCharityProjects().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == [
        "utter_donation_recommended_intro",
        "utter_donation_project_item",
        "utter_donation_project_item",
        "utter_donation_project_list_end",
    ]
    first = dispatcher.messages[1]
    assert (first["name"], first["percent"], first["raised"]) == ("山区学生营养午餐", 37, "186,400")
    buttons = dispatcher.messages[-1]["buttons"]
    assert buttons[0]["payload"] == '/show_charity_project{"charity_project": "edu-lunch-2026"}'
    assert slots_of(events) == {"charity_theme": None, "charity_project": None}


async def test_browse_theme_without_projects(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    entity = {"entity": "charity_theme", "value": "disaster"}
    tracker = make_tracker([user_event("救灾", "browse_charity_projects", [entity])])
    await browse.ActionListCharityProjects().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_donation_no_projects"]


async def test_browse_when_back_office_is_down(down: None) -> None:
    dispatcher = CollectingDispatcher()
    entity = {"entity": "charity_theme", "value": "education"}
    tracker = make_tracker([user_event("助学", "browse_charity_projects", [entity])])
    await browse.ActionListCharityProjects().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_records_unavailable"]


async def test_details_set_the_project_for_the_form(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    entity = {"entity": "charity_project", "value": "edu-lunch-2026"}
    tracker = make_tracker([user_event("", "show_charity_project", [entity])])
    events = await browse.ActionShowCharityProject().run(dispatcher, tracker, EMPTY_DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_donation_project_details"
    assert message["record_no"] == "示例-1"
    assert slots_of(events) == {"charity_project": "edu-lunch-2026"}


async def test_details_of_the_general_fund_and_of_nothing(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("", "show_charity_project")], slots={
        "charity_project": "general-fund"})  # fmt: skip
    await browse.ActionShowCharityProject().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_donation_project_details_open"]
    dispatcher = CollectingDispatcher()
    await browse.ActionShowCharityProject().run(
        dispatcher, make_tracker([user_event("详情", "show_charity_project")]), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_donation_which_project"]


# --- the donation form ------------------------------------------------------------------------


def form_tracker(slots: dict[str, Any], text: str = "") -> Any:
    return make_tracker([user_event(text)], slots=slots, active_loop="donation_form")


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


# --- checking a pledge ------------------------------------------------------------------------


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


# --- goods ------------------------------------------------------------------------------------


async def test_goods_information(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    await goods.ActionShowGoodsDonation().run(dispatcher, make_tracker(), EMPTY_DOMAIN)
    said = [m["text"] for m in dispatcher.messages[:2]]
    assert said == [
        "目前接收的捐赠物资（示例内容，待核实）：衣物被褥、图书文具。\n暂不接收：药品。",
        "具体收捐地点请拨打 12345 或咨询所在社区。",
    ]
    # The back office's drop-off points (addresses not verified) are not shown.
    assert responses(dispatcher)[2:] == ["utter_donation_goods_end"]
    assert not any("西湖区慈善超市" in str(m) for m in dispatcher.messages)
