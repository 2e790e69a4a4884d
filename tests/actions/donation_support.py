"""Shared pieces of the donation action tests: a fake back office (httpx.MockTransport), trackers.

The test modules import the fixtures as `backoffice as backoffice` (and `down`): pytest finds
them in the module, and the alias tells ruff they are meant to be there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.backoffice import BackofficeTransport
from actions.clients.donation import DonationApi
from actions.donation import browse, goods, lookup, pledge, pledge_submit
from testkit.trackers import make_tracker, user_event

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


def form_tracker(slots: dict[str, Any], text: str = "") -> Any:
    return make_tracker([user_event(text)], slots=slots, active_loop="donation_form")
