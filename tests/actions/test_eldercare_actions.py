"""Eldercare actions and form validators against a fake back office (httpx.MockTransport)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker

from actions.clients.backoffice import BackofficeTransport
from actions.clients.eldercare import EldercareApi
from actions.eldercare import (
    facility_details,
    records,
    relaxing,
    results,
    search_slots,
    visit_booking,
    visit_cancel,
    visit_form,
)
from actions.eldercare.search_form import ValidateEldercareSearchForm
from actions.eldercare.visit_form import ValidateEldercareVisitForm
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event
from zhtext import city_time

TODAY = dt.date(2026, 11, 28)
SEARCH_FORM_DOMAIN = EMPTY_DOMAIN | {
    "forms": {
        "eldercare_search_form": {
            "required_slots": ["eldercare_area", "eldercare_need", "eldercare_budget"]
        }
    }
}
VISIT_FORM_DOMAIN = EMPTY_DOMAIN | {
    "forms": {
        "eldercare_visit_form": {
            "required_slots": [
                "eldercare_visit_facility",
                "eldercare_visit_date",
                "eldercare_visit_half_day",
                "eldercare_visitor_name",
                "eldercare_visitor_phone",
            ]
        }
    }
}
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


# ---------------------------------------------------------------- search form


async def test_one_free_text_message_fills_the_whole_search_form() -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("我妈八十多了，有点糊涂，想找西湖区的，每月五千以内", "request_eldercare")
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_area"]["district"] == "xihu"
    assert filled["eldercare_need"] == "dementia"
    assert filled["eldercare_budget"] == 5000
    assert dispatcher.messages == []


async def test_only_the_missing_budget_is_asked_after_a_partial_answer() -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("文三路附近，老人卧床不能自理", "request_eldercare")
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_area"]["place"] == "文三路"
    assert filled["eldercare_need"] == "disabled"
    assert filled["eldercare_budget"] is None


async def test_a_new_search_forgets_the_old_conditions_it_does_not_repeat() -> None:
    dispatcher = CollectingDispatcher()
    old = {"eldercare_area": XIHU, "eldercare_need": "meals", "eldercare_budget": 3000}
    tracker = tracker_for("帮我找个养老院，老人有点糊涂", "request_eldercare", slots=old)
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_need"] == "dementia"
    assert filled["eldercare_area"] is None
    assert filled["eldercare_budget"] is None


async def test_an_answer_not_understood_is_said_and_keeps_the_form_going() -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("嗯嗯那个", "nlu_fallback", requested="eldercare_area")
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    assert responses(dispatcher) == ["utter_eldercare_area_not_understood"]
    assert slots_of(events) == {"eldercare_area": None}


async def test_a_policy_question_is_left_to_the_rules() -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("高龄津贴怎么领", "ask_policy_question", requested="eldercare_budget")
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    assert events == []  # nothing set: the form is rejected and the knowledge rule answers
    assert dispatcher.messages == []


async def test_meals_need_no_budget_question() -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(
        "/inform_eldercare",
        entities=[{"entity": "eldercare_need", "value": "meals"}],
        slots={"eldercare_area": XIHU},
        requested="eldercare_need",
    )
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_need"] == "meals"
    assert filled["eldercare_budget"] == "not_asked"  # complete: no budget question


async def test_a_shared_location_is_the_area() -> None:
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "lat", "value": 30.2741}, {"entity": "lon", "value": 120.1551}]
    tracker = tracker_for(
        '/share_location{"lat": 30.2741, "lon": 120.1551}',
        "share_location",
        entities=entities,
        requested="eldercare_area",
    )
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    area = slots_of(events)["eldercare_area"]
    assert (area["source"], area["lat"], area["lon"]) == ("location", 30.2741, 120.1551)


async def test_jianggan_asks_which_district() -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("江干区", requested="eldercare_area")
    await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    assert responses(dispatcher) == ["utter_eldercare_area_former_split"]


async def test_a_care_home_named_limits_the_search_to_care_homes() -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("帮我找个养老院", "request_eldercare")
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_kind"] == "institution"
    assert filled["eldercare_need"] is None  # still asked


async def test_a_father_who_walks_badly_gets_day_care_and_his_need() -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("我爸腿脚不好，想找个白天照顾的地方", "request_eldercare")
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    filled = slots_of(events)
    assert (filled["eldercare_need"], filled["eldercare_kind"]) == ("semi_disabled", "day_center")


async def test_a_later_need_the_kind_cannot_meet_drops_the_kind() -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(
        "/inform_eldercare",
        entities=[{"entity": "eldercare_need", "value": "meals"}],
        slots={"eldercare_area": XIHU, "eldercare_kind": "institution"},
        requested="eldercare_need",
    )
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    filled = slots_of(events)
    assert (filled["eldercare_need"], filled["eldercare_kind"]) == ("meals", None)
    assert filled["eldercare_budget"] == "not_asked"


async def test_a_new_search_without_a_kind_forgets_the_old_kind() -> None:
    dispatcher = CollectingDispatcher()
    old = {"eldercare_area": XIHU, "eldercare_need": "dementia", "eldercare_kind": "institution"}
    tracker = tracker_for("西湖区，老人有点糊涂", "request_eldercare", slots=old)
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    assert slots_of(events)["eldercare_kind"] is None


@pytest.mark.parametrize(("text", "budget"), [("七八千", 8000), ("三四千左右", 4000), ("8k", 8000)])
async def test_approximate_budgets_fill_the_budget(text: str, budget: int) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(
        text,
        slots={"eldercare_area": XIHU, "eldercare_need": "dementia"},
        requested="eldercare_budget",
    )
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    assert slots_of(events)["eldercare_budget"] == budget
    assert dispatcher.messages == []


# ---------------------------------------------------------------- results


async def test_the_kind_named_is_sent_and_said(backoffice: FakeBackoffice) -> None:
    body = search_json(1, ["a"])
    body["items"][0] |= {"kind": "day_center", "price_min": 1200, "price_max": 1200}
    backoffice.on("POST", "/api/eldercare/search", 200, body)
    tracker = make_tracker(
        slots={
            "eldercare_area": XIHU,
            "eldercare_need": "semi_disabled",
            "eldercare_kind": "day_center",
            "eldercare_budget": 3000,
        }
    )
    dispatcher = CollectingDispatcher()
    await results.ActionSearchFacilities().run(dispatcher, tracker, EMPTY_DOMAIN)
    [query] = backoffice.bodies("/api/eldercare/search")
    assert (query["kinds"], query["need"]) == (["day_center"], "semi_disabled")
    header = dispatcher.messages[0]
    assert header["conditions"] == "西湖区，日间照料中心，半失能照护，每月 3000 元以内，有空位"
    assert dispatcher.messages[1]["price"] == "1200 元"


async def test_nothing_of_the_kind_named_says_the_kind(backoffice: FakeBackoffice) -> None:
    body = search_json(0, [], excluded_by="need", relaxations=[])
    backoffice.on("POST", "/api/eldercare/search", 200, body)
    tracker = make_tracker(
        slots={
            "eldercare_area": XIHU,
            "eldercare_need": "disabled",
            "eldercare_kind": "day_center",
            "eldercare_budget": "unlimited",
        }
    )
    dispatcher = CollectingDispatcher()
    await results.ActionSearchFacilities().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == [
        "utter_eldercare_no_match_need_kind",
        "utter_eldercare_relax_none",
    ]
    assert (dispatcher.messages[0]["need"], dispatcher.messages[0]["kind"]) == (
        "失能照护",
        "日间照料中心",
    )


async def test_results_are_three_cards_with_a_header_and_more(backoffice: FakeBackoffice) -> None:
    backoffice.on("POST", "/api/eldercare/search", 200, search_json(5, ["a", "b", "c"]))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"eldercare_area": XIHU, "eldercare_need": "dementia", "eldercare_budget": 5000}
    )
    events = await results.ActionSearchFacilities().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == [
        "utter_eldercare_results_header_sample",
        "utter_eldercare_card_institution",
        "utter_eldercare_card_institution",
        "utter_eldercare_card_institution",
        "utter_eldercare_results_more",
    ]
    header, first = dispatcher.messages[0], dispatcher.messages[1]
    assert header["total"] == 5
    assert header["conditions"] == "西湖区，认知症照护，每月 5000 元以内，有空位"
    assert first["index"] == 1
    assert first["code"] == "a"
    assert first["distance"] == "距西湖区中心约 1.2 公里"
    # the budget filter compared the lowest price: the card says so and names the highest
    assert (
        first["price"] == "4200 元起，最高 7800 元（5000 元以内的房型或照护等级有限，请电话确认）"
    )
    assert first["kind_label"] == "公办养老机构"
    assert dispatcher.messages[-1]["remaining"] == 2
    [query] = backoffice.bodies("/api/eldercare/search")
    assert query["district"] == "xihu"
    assert (query["need"], query["budget"], query["limit"]) == ("dementia", 5000, 3)
    assert "radius_km" not in query
    assert "kinds" not in query  # no kind of place was named: every kind is searched
    assert slots_of(events) == {
        "eldercare_offset": 0,
        "eldercare_shown": ["a", "b", "c"],
        "eldercare_relax_options": None,
    }


async def test_near_a_place_searches_a_radius_across_districts(backoffice: FakeBackoffice) -> None:
    backoffice.on("POST", "/api/eldercare/search", 200, search_json(1, ["a"]))
    area = XIHU | {"source": "place", "district": None, "place": "文三路", "label": "文三路"}
    tracker = make_tracker(
        slots={"eldercare_area": area, "eldercare_need": "meals", "eldercare_budget": None}
    )
    dispatcher = CollectingDispatcher()
    await results.ActionSearchFacilities().run(dispatcher, tracker, EMPTY_DOMAIN)
    [query] = backoffice.bodies("/api/eldercare/search")
    assert query["radius_km"] == search_slots.NEARBY_RADIUS_KM
    assert "district" not in query
    assert dispatcher.messages[1]["distance"] == "距文三路约 1.2 公里"
    assert dispatcher.messages[-1]["response"] == "utter_eldercare_results_last"


async def test_more_shows_the_next_page(backoffice: FakeBackoffice) -> None:
    backoffice.on("POST", "/api/eldercare/search", 200, search_json(5, ["d", "e"], offset=3))
    tracker = make_tracker(
        [user_event("换一批", "request_more_facilities")],
        slots={"eldercare_area": XIHU, "eldercare_need": "disabled", "eldercare_offset": 0},
    )
    dispatcher = CollectingDispatcher()
    events = await results.ActionShowMoreFacilities().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert backoffice.bodies("/api/eldercare/search")[0]["offset"] == 3
    assert responses(dispatcher)[0] == "utter_eldercare_card_institution"  # no header again
    assert dispatcher.messages[0]["index"] == 4
    assert responses(dispatcher)[-1] == "utter_eldercare_results_last"
    assert slots_of(events)["eldercare_offset"] == 3


async def test_no_match_says_why_and_offers_relaxations(backoffice: FakeBackoffice) -> None:
    relaxations = [
        {"condition": "area", "count": 11, "budget": None},
        {"condition": "budget", "count": 2, "budget": 4000},
        {"condition": "vacancy", "count": 0, "budget": None},
    ]
    body = search_json(0, [], excluded_by="budget", relaxations=relaxations)
    backoffice.on("POST", "/api/eldercare/search", 200, body)
    shangcheng = XIHU | {"district": "shangcheng", "label": "上城区"}
    tracker = make_tracker(
        slots={"eldercare_area": shangcheng, "eldercare_need": "dementia", "eldercare_budget": 3000}
    )
    dispatcher = CollectingDispatcher()
    events = await results.ActionSearchFacilities().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == [
        "utter_eldercare_no_match_budget_from",
        "utter_eldercare_relax_area",
        "utter_eldercare_relax_budget",
        "utter_eldercare_relax_footer",
    ]
    explained = dispatcher.messages[0]
    assert (explained["area"], explained["lowest"], explained["budget"]) == ("上城区", 4000, 3000)
    assert slots_of(events)["eldercare_relax_options"] == {"area": 11, "budget": 4000}


async def test_relaxing_the_budget_searches_again_with_the_lowest_price(
    backoffice: FakeBackoffice,
) -> None:
    backoffice.on("POST", "/api/eldercare/search", 200, search_json(2, ["a", "b"]))
    tracker = make_tracker(
        [
            user_event(
                "/relax",
                "relax_eldercare_search",
                [{"entity": "eldercare_relax", "value": "budget"}],
            )
        ],
        slots={
            "eldercare_area": XIHU,
            "eldercare_need": "dementia",
            "eldercare_budget": 3000,
            "eldercare_relax_options": {"area": 11, "budget": 4000},
        },
    )
    dispatcher = CollectingDispatcher()
    events = await relaxing.ActionRelaxFacilitySearch().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert slots_of(events)["eldercare_budget"] == 4000
    assert backoffice.bodies("/api/eldercare/search")[0]["budget"] == 4000


async def test_relaxing_the_area_searches_the_whole_city_from_the_same_point(
    backoffice: FakeBackoffice,
) -> None:
    backoffice.on("POST", "/api/eldercare/search", 200, search_json(1, ["a"]))
    tracker = make_tracker(
        [user_event("远一点也行", "relax_eldercare_search")],
        slots={
            "eldercare_area": XIHU,
            "eldercare_need": "dementia",
            "eldercare_relax_options": {"area": 11},
        },
    )
    dispatcher = CollectingDispatcher()
    events = await relaxing.ActionRelaxFacilitySearch().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert slots_of(events)["eldercare_area"]["wide"] is True
    [query] = backoffice.bodies("/api/eldercare/search")
    assert "district" not in query
    assert (query["lat"], query["lon"]) == (XIHU["lat"], XIHU["lon"])
    assert dispatcher.messages[0]["conditions"].startswith("全市范围（离西湖区由近到远）")


RELAX_SLOTS = {
    "eldercare_area": XIHU,
    "eldercare_need": "dementia",
    "eldercare_budget": 3000,
    "eldercare_relax_options": {"area": 11, "budget": 4000, "vacancy": 2},
}


def relax_tracker(text: str, slots: dict[str, Any] | None = None) -> Tracker:
    return make_tracker(
        [user_event(text, "relax_eldercare_search")], slots=slots or dict(RELAX_SLOTS)
    )


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("钱可以多花点", "eldercare_budget", 4000),
        ("价格高点也可以", "eldercare_budget", 4000),
        ("预算可以加", "eldercare_budget", 4000),
        ("满的也行", "eldercare_require_vacancy", False),
        ("没空位也行", "eldercare_require_vacancy", False),
    ],
)
async def test_relaxing_in_words_relaxes_the_condition_named(
    backoffice: FakeBackoffice, text: str, slot: str, value: object
) -> None:
    backoffice.on("POST", "/api/eldercare/search", 200, search_json(2, ["a", "b"]))
    dispatcher = CollectingDispatcher()
    events = await relaxing.ActionRelaxFacilitySearch().run(
        dispatcher, relax_tracker(text), EMPTY_DOMAIN
    )
    changed = slots_of(events)
    assert changed[slot] == value
    assert "eldercare_area" not in changed  # not the first option by default


@pytest.mark.parametrize("text", ["远一点也行", "别的区也可以"])
async def test_relaxing_the_area_in_words(backoffice: FakeBackoffice, text: str) -> None:
    backoffice.on("POST", "/api/eldercare/search", 200, search_json(2, ["a", "b"]))
    events = await relaxing.ActionRelaxFacilitySearch().run(
        CollectingDispatcher(), relax_tracker(text), EMPTY_DOMAIN
    )
    changed = slots_of(events)
    assert changed["eldercare_area"]["wide"] is True
    assert "eldercare_budget" not in changed


async def test_a_budget_said_when_relaxing_is_the_new_budget(backoffice: FakeBackoffice) -> None:
    backoffice.on("POST", "/api/eldercare/search", 200, search_json(3, ["a", "b", "c"]))
    events = await relaxing.ActionRelaxFacilitySearch().run(
        CollectingDispatcher(), relax_tracker("预算加到八千"), EMPTY_DOMAIN
    )
    assert slots_of(events)["eldercare_budget"] == 8000  # not the lowest price (4000)
    assert backoffice.bodies("/api/eldercare/search")[0]["budget"] == 8000


AFTER_RESULTS = {k: v for k, v in RELAX_SLOTS.items() if k != "eldercare_relax_options"}


async def test_after_results_a_stated_higher_budget_searches_again(
    backoffice: FakeBackoffice,
) -> None:
    backoffice.on("POST", "/api/eldercare/search", 200, search_json(3, ["a", "b", "c"]))
    events = await relaxing.ActionRelaxFacilitySearch().run(
        CollectingDispatcher(), relax_tracker("预算加到七八千", dict(AFTER_RESULTS)), EMPTY_DOMAIN
    )
    assert slots_of(events)["eldercare_budget"] == 8000
    assert backoffice.bodies("/api/eldercare/search")[0]["budget"] == 8000


async def test_after_results_more_money_without_an_amount_asks_how_much(
    backoffice: FakeBackoffice,
) -> None:
    dispatcher = CollectingDispatcher()
    events = await relaxing.ActionRelaxFacilitySearch().run(
        dispatcher, relax_tracker("钱可以多花点", dict(AFTER_RESULTS)), EMPTY_DOMAIN
    )
    assert events == []
    assert responses(dispatcher) == ["utter_eldercare_relax_budget_amount"]
    assert backoffice.bodies("/api/eldercare/search") == []


async def test_after_results_a_wider_area_searches_the_whole_city(
    backoffice: FakeBackoffice,
) -> None:
    backoffice.on("POST", "/api/eldercare/search", 200, search_json(3, ["a", "b", "c"]))
    events = await relaxing.ActionRelaxFacilitySearch().run(
        CollectingDispatcher(), relax_tracker("别的区也可以", dict(AFTER_RESULTS)), EMPTY_DOMAIN
    )
    assert slots_of(events)["eldercare_area"]["wide"] is True


async def test_after_results_nothing_left_to_widen_says_so(backoffice: FakeBackoffice) -> None:
    slots = {**AFTER_RESULTS, "eldercare_area": {**XIHU, "wide": True}}
    dispatcher = CollectingDispatcher()
    await relaxing.ActionRelaxFacilitySearch().run(
        dispatcher, relax_tracker("远一点也行", slots), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_eldercare_relax_unavailable"]


async def test_an_unclear_relaxation_is_asked_with_buttons(backoffice: FakeBackoffice) -> None:
    relaxations = [
        {"condition": "area", "count": 11, "budget": None},
        {"condition": "budget", "count": 2, "budget": 4000},
        {"condition": "vacancy", "count": 0, "budget": None},
    ]
    body = search_json(0, [], excluded_by="budget", relaxations=relaxations)
    backoffice.on("POST", "/api/eldercare/search", 200, body)
    dispatcher = CollectingDispatcher()
    events = await relaxing.ActionRelaxFacilitySearch().run(
        dispatcher, relax_tracker("条件松一点"), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == [
        "utter_eldercare_relax_which",
        "utter_eldercare_relax_area",
        "utter_eldercare_relax_budget",
        "utter_eldercare_relax_footer",
    ]
    changed = slots_of(events)
    assert changed["eldercare_relax_options"] == {"area": 11, "budget": 4000}
    assert {"eldercare_area", "eldercare_budget", "eldercare_require_vacancy"}.isdisjoint(changed)
    [query] = backoffice.bodies("/api/eldercare/search")
    assert query["budget"] == 3000  # searched with the unchanged conditions


async def test_relaxing_a_condition_that_would_not_help_says_so(
    backoffice: FakeBackoffice,
) -> None:
    relaxations = [{"condition": "budget", "count": 2, "budget": 4000}]
    body = search_json(0, [], excluded_by="budget", relaxations=relaxations)
    backoffice.on("POST", "/api/eldercare/search", 200, body)
    slots = RELAX_SLOTS | {"eldercare_relax_options": {"budget": 4000}}
    dispatcher = CollectingDispatcher()
    events = await relaxing.ActionRelaxFacilitySearch().run(
        dispatcher, relax_tracker("远一点也行", slots), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == [
        "utter_eldercare_relax_not_helping",
        "utter_eldercare_relax_budget",
        "utter_eldercare_relax_footer",
    ]
    assert dispatcher.messages[0]["condition"] == "范围"
    assert "eldercare_budget" not in slots_of(events)


async def test_details_of_the_second_card(backoffice: FakeBackoffice) -> None:
    backoffice.on("GET", "/api/eldercare/facilities/b", 200, facility_json("b"))
    tracker = make_tracker(
        [user_event("第二家详细说说", "ask_facility_details")],
        slots={"eldercare_shown": ["a", "b", "c"], "eldercare_offset": 0},
    )
    dispatcher = CollectingDispatcher()
    await facility_details.ActionShowFacilityDetails().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == [
        "utter_eldercare_details_institution",
        "utter_eldercare_sample_notice",
    ]
    details = dispatcher.messages[0]
    assert (details["dementia_unit"], details["needs"]) == (
        "有",
        "失能照护、半失能照护、认知症照护",
    )


async def test_back_office_down_gives_the_apology(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    transport = BackofficeTransport(
        base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(refuse)
    )
    monkeypatch.setattr(records, "api", lambda: EldercareApi(transport))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"eldercare_area": XIHU, "eldercare_need": "dementia"})
    assert await results.ActionSearchFacilities().run(dispatcher, tracker, EMPTY_DOMAIN) == []
    assert responses(dispatcher) == ["utter_records_unavailable"]


# ---------------------------------------------------------------- visits


def availability_json(am: int, pm: int, day: dt.date) -> dict[str, Any]:
    return {
        "facility_code": "a",
        "visit_date": day.isoformat(),
        "am": am,
        "pm": pm,
        "bookable": True,
    }


async def test_the_visit_button_fills_the_facility(backoffice: FakeBackoffice) -> None:
    backoffice.on("GET", "/api/eldercare/facilities/a", 200, facility_json("a"))
    entities = [{"entity": "eldercare_facility", "value": "a"}]
    tracker = tracker_for(
        "/request_facility_visit", "request_facility_visit", entities=entities,
        form="eldercare_visit_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_visit_facility"] == "a"
    assert filled["eldercare_visit_facility_name"] == "a养老院（示例）"


async def test_tomorrow_morning_fills_date_and_half_day(backoffice: FakeBackoffice) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    backoffice.on(
        "GET", "/api/eldercare/facilities/a/availability", 200, availability_json(2, 2, tomorrow)
    )
    tracker = tracker_for(
        "明天上午", "inform_marriage_details", slots={"eldercare_visit_facility": "a"},
        requested="eldercare_visit_date", form="eldercare_visit_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    filled = slots_of(events)
    assert (filled["eldercare_visit_date"], filled["eldercare_visit_half_day"]) == (
        tomorrow.isoformat(),
        "am",
    )


async def test_tomorrow_is_hangzhou_s_tomorrow_on_a_utc_server_near_midnight(
    backoffice: FakeBackoffice, monkeypatch: pytest.MonkeyPatch, utc_server_near_midnight: dt.date
) -> None:
    monkeypatch.setattr(visit_form, "city_today", city_time.city_today)  # the real clock, not TODAY
    tomorrow = utc_server_near_midnight + dt.timedelta(days=1)
    backoffice.on(
        "GET", "/api/eldercare/facilities/a/availability", 200, availability_json(2, 2, tomorrow)
    )
    tracker = tracker_for(
        "明天上午", slots={"eldercare_visit_facility": "a"},
        requested="eldercare_visit_date", form="eldercare_visit_form",
    )  # fmt: skip
    events = await ValidateEldercareVisitForm().run(
        CollectingDispatcher(), tracker, VISIT_FORM_DOMAIN
    )
    assert slots_of(events)["eldercare_visit_date"] == tomorrow.isoformat()


async def test_a_full_half_day_is_refused_with_the_reason(backoffice: FakeBackoffice) -> None:
    day = TODAY + dt.timedelta(days=2)
    backoffice.on(
        "GET", "/api/eldercare/facilities/a/availability", 200, availability_json(0, 3, day)
    )
    tracker = tracker_for(
        "后天上午", slots={"eldercare_visit_facility": "a"},
        requested="eldercare_visit_date", form="eldercare_visit_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_visit_date"] == day.isoformat()
    assert filled["eldercare_visit_half_day"] is None
    assert responses(dispatcher) == ["utter_eldercare_visit_half_day_full"]


@pytest.mark.parametrize("text", ["今天下午", "明年三月一号"])
async def test_dates_outside_the_window_are_refused(backoffice: FakeBackoffice, text: str) -> None:
    tracker = tracker_for(
        text, slots={"eldercare_visit_facility": "a"},
        requested="eldercare_visit_date", form="eldercare_visit_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    assert slots_of(events)["eldercare_visit_date"] is None
    assert responses(dispatcher) == ["utter_eldercare_visit_date_out_of_window"]


async def test_name_and_phone(backoffice: FakeBackoffice) -> None:
    tracker = tracker_for(
        "我叫张丽，手机13812345678", requested="eldercare_visitor_name",
        form="eldercare_visit_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    filled = slots_of(events)
    assert (filled["eldercare_visitor_name"], filled["eldercare_visitor_phone"]) == (
        "张丽",
        "13812345678",
    )


async def test_a_service_number_is_not_a_phone(backoffice: FakeBackoffice) -> None:
    tracker = tracker_for("12345", requested="eldercare_visitor_phone", form="eldercare_visit_form")
    dispatcher = CollectingDispatcher()
    await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    assert responses(dispatcher) == ["utter_eldercare_visitor_phone_service_number"]


BOOKING_SLOTS = {
    "eldercare_visit_facility": "a",
    "eldercare_visit_facility_name": "a养老院（示例）",
    "eldercare_visit_date": "2026-11-29",
    "eldercare_visit_half_day": "am",
    "eldercare_visitor_name": "张丽",
    "eldercare_visitor_phone": "13812345678",
}


async def test_confirm_reads_the_booking_back_masked() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=BOOKING_SLOTS)
    await visit_booking.ActionConfirmFacilityVisit().run(dispatcher, tracker, EMPTY_DOMAIN)
    [message] = dispatcher.messages
    assert message["when"] == "11月29日（周日） 上午（9:00–11:30）"
    assert (message["visitor"], message["phone"]) == ("张*", "138****5678")


async def test_booking_gives_the_reference(backoffice: FakeBackoffice) -> None:
    visit = {
        "reference": "YL-20261129-0001",
        "facility_code": "a",
        "facility_name": "a养老院（示例）",
        "facility_address": "详细地址待核实，请拨打 12345 询问",
        "facility_phone": "12345",
        "visit_date": "2026-11-29",
        "half_day": "am",
        "visitor_name_masked": "张*",
        "phone_masked": "138****5678",
        "status": "booked",
        "created": True,
    }
    backoffice.on("POST", "/api/eldercare/visits", 201, visit)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=BOOKING_SLOTS, sender_id="web-daughter")
    events = await visit_booking.ActionBookFacilityVisit().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_eldercare_visit_booked"]
    assert dispatcher.messages[0]["reference"] == "YL-20261129-0001"
    assert slots_of(events)["eldercare_visit_reference"] == "YL-20261129-0001"
    [sent] = backoffice.bodies("/api/eldercare/visits")
    assert sent["conversation_id"] == "web-daughter"
    assert (sent["visit_date"], sent["half_day"], sent["phone"]) == (
        "2026-11-29",
        "am",
        "13812345678",
    )


async def test_the_same_booking_again_is_said_to_exist(backoffice: FakeBackoffice) -> None:
    visit = {
        "reference": "YL-20261129-0001",
        "facility_code": "a",
        "facility_name": "a养老院（示例）",
        "facility_address": "详细地址待核实，请拨打 12345 询问",
        "facility_phone": "12345",
        "visit_date": "2026-11-29",
        "half_day": "am",
        "visitor_name_masked": "张*",
        "phone_masked": "138****5678",
        "status": "booked",
        "created": False,
    }
    backoffice.on("POST", "/api/eldercare/visits", 200, visit)
    dispatcher = CollectingDispatcher()
    await visit_booking.ActionBookFacilityVisit().run(
        dispatcher, make_tracker(slots=BOOKING_SLOTS), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_eldercare_visit_already_booked"]


async def test_a_place_taken_meanwhile_asks_for_another_time(backoffice: FakeBackoffice) -> None:
    error = {"error": {"code": "slot_full", "message": "约满了"}}
    backoffice.on("POST", "/api/eldercare/visits", 409, error)
    dispatcher = CollectingDispatcher()
    events = await visit_booking.ActionBookFacilityVisit().run(
        dispatcher, make_tracker(slots=BOOKING_SLOTS), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_eldercare_visit_slot_taken"]
    assert slots_of(events)["eldercare_visit_date"] is None
    assert events[-1] == {"event": "followup", "name": "eldercare_visit_form", "timestamp": None}


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


async def test_a_new_meals_search_asks_no_budget() -> None:
    dispatcher = CollectingDispatcher()
    old = {"eldercare_area": XIHU, "eldercare_need": "dementia", "eldercare_budget": 5000}
    tracker = tracker_for("武林广场附近有没有老年食堂", "request_eldercare", slots=old)
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_area"]["place"] == "武林广场"
    assert (filled["eldercare_need"], filled["eldercare_budget"]) == ("meals", "not_asked")


async def test_a_second_booking_keeps_name_and_phone_but_asks_the_time_again(
    backoffice: FakeBackoffice,
) -> None:
    backoffice.on("GET", "/api/eldercare/facilities/b", 200, facility_json("b"))
    tracker = tracker_for(
        "/request_facility_visit",
        "request_facility_visit",
        entities=[{"entity": "eldercare_facility", "value": "b"}],
        slots=BOOKING_SLOTS,
        form="eldercare_visit_form",
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_visit_facility"] == "b"
    assert filled["eldercare_visit_date"] is None
    assert filled["eldercare_visit_half_day"] is None
    assert "eldercare_visitor_name" not in filled
