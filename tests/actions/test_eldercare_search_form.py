"""The eldercare search form: area, need, kind and budget from what the citizen says."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.eldercare.search_form import ValidateEldercareSearchForm
from testkit.trackers import EMPTY_DOMAIN
from tests.actions.eldercare_support import XIHU, responses, slots_of, tracker_for

SEARCH_FORM_DOMAIN = EMPTY_DOMAIN | {
    "forms": {
        "eldercare_search_form": {
            "required_slots": ["eldercare_area", "eldercare_need", "eldercare_budget"]
        }
    }
}


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


async def test_a_new_meals_search_asks_no_budget() -> None:
    dispatcher = CollectingDispatcher()
    old = {"eldercare_area": XIHU, "eldercare_need": "dementia", "eldercare_budget": 5000}
    tracker = tracker_for("武林广场附近有没有老年食堂", "request_eldercare", slots=old)
    events = await ValidateEldercareSearchForm().run(dispatcher, tracker, SEARCH_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_area"]["place"] == "武林广场"
    assert (filled["eldercare_need"], filled["eldercare_budget"]) == ("meals", "not_asked")
