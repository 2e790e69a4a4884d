"""No eldercare match: why, what could be relaxed, and relaxing it (by button or in words)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker

from actions.eldercare import relaxing, results
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event
from tests.actions.eldercare_support import XIHU, FakeBackoffice, responses, search_json, slots_of
from tests.actions.eldercare_support import backoffice as backoffice


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


SEARCH_RAN = {"event": "action", "name": "action_search_facilities"}
RELAX_SLOTS = {
    "eldercare_area": XIHU,
    "eldercare_need": "dementia",
    "eldercare_budget": 3000,
    "eldercare_relax_options": {"area": 11, "budget": 4000, "vacancy": 2},
}


def relax_tracker(text: str, slots: dict[str, Any] | None = None) -> Tracker:
    # After a search, as in a conversation: relaxing means nothing before one.
    return make_tracker(
        [SEARCH_RAN, user_event(text, "relax_eldercare_search")], slots=slots or dict(RELAX_SLOTS)
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
