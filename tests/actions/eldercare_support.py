"""Shared pieces of the eldercare action tests: a fake back office, canned JSON, trackers.

The test modules import the `backoffice` fixture as `backoffice as backoffice`: pytest finds it
in the module, and the alias tells ruff it is meant to be there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker

from actions.clients.backoffice import BackofficeTransport
from actions.clients.eldercare import EldercareApi
from actions.eldercare import records, visit_form
from testkit.trackers import make_tracker, user_event

TODAY = dt.date(2026, 11, 28)


XIHU = {
    "source": "district",
    "district": "xihu",
    "place": None,
    "lat": 30.273,
    "lon": 120.13,
    "label": "西湖区",
    "wide": False,
}


def facility_json(code: str, **values: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"{code}养老院（示例）",
        "kind": "institution",
        "ownership": "public",
        "district_code": "xihu",
        "district_name": "西湖区",
        "street": "西溪街道",
        "address": "详细地址待核实，请拨打 12345 询问",
        "phone": "12345",
        "lat": 30.28,
        "lon": 120.14,
        "total_beds": 300,
        "nursing_beds": 200,
        "vacancies": 6,
        "price_min": 4200,
        "price_max": 7800,
        "meal_price": None,
        "opening_hours": None,
        "needs": ["disabled", "semi_disabled", "dementia"],
        "dementia_care": True,
        "offers_day_care": False,
        "offers_short_stay": True,
        "accepts_visits": True,
        "is_sample": True,
        "distance_km": 1.2,
    } | values


def search_json(total: int, codes: list[str], offset: int = 0, **values: Any) -> dict[str, Any]:
    return {
        "total": total,
        "offset": offset,
        "items": [facility_json(code) for code in codes],
        "origin": {"lat": 30.273, "lon": 120.13, "source": "district", "label": "西湖区"},
        "excluded_by": None,
        "relaxations": [],
    } | values


class FakeBackoffice:
    """Answers the eldercare API from canned JSON and remembers the requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = {}

    def on(self, method: str, path: str, status: int, body: Any) -> None:
        self.routes[(method, path)] = lambda _request: httpx.Response(status, json=body)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get((request.method, request.url.path))
        if route is None:
            return httpx.Response(404, json={"error": {"code": "not_found", "message": ""}})
        return route(request)

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.url.path == path]


@pytest.fixture
def backoffice(monkeypatch: pytest.MonkeyPatch) -> FakeBackoffice:
    fake = FakeBackoffice()
    transport = BackofficeTransport(
        base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(fake.handle)
    )
    api = EldercareApi(transport)
    monkeypatch.setattr(records, "api", lambda: api)
    monkeypatch.setattr(visit_form, "city_today", lambda: TODAY)
    return fake


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def tracker_for(
    text: str,
    intent: str = "inform_eldercare",
    *,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    requested: str | None = None,
    form: str = "eldercare_search_form",
) -> Tracker:
    all_slots = dict(slots or {})
    all_slots["requested_slot"] = requested
    return make_tracker([user_event(text, intent, entities)], slots=all_slots, active_loop=form)
