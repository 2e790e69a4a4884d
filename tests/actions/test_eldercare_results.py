"""Eldercare search results: the header, the cards, more, details, the back office down."""

from __future__ import annotations

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.backoffice import BackofficeTransport
from actions.clients.eldercare import EldercareApi
from actions.eldercare import facility_details, records, results, search_slots
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event
from tests.actions.eldercare_support import (
    XIHU,
    FakeBackoffice,
    facility_json,
    responses,
    search_json,
    slots_of,
)
from tests.actions.eldercare_support import backoffice as backoffice


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
