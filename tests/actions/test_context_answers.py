"""An answer outside its form: asked back when it holds a value, else read as unplaced."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action

from actions import knowledge
from actions.eldercare.context import ActionCheckEldercareContext
from actions.eldercare.relaxing import ActionRelaxFacilitySearch, ActionResetEldercareSearch
from actions.eldercare.results import ActionShowMoreFacilities
from actions.marriage.outside_form import ActionMarriageDetailsWithoutForm, tells_booking_details
from actions.prescreen.context import ActionCheckPrescreenContext
from actions.prescreen.screening import ActionCorrectPrescreenAnswer
from actions.prescreen.volunteered import tells_household_facts
from knowledge.search_results import SearchResult
from knowledge.store import get_store
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event

SEARCH_RAN = {"event": "action", "name": "action_search_facilities"}

CHIT_CHAT = "我真爱听演唱会"
LISTEN = {"event": "followup", "name": "action_listen", "timestamp": None}


@pytest.fixture(autouse=True)
def nothing_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """No article fits and nothing is recorded: the not-understood path is what is left."""

    def nothing(text: str, **_: object) -> SearchResult:
        return SearchResult(query=text, terms=[], decision="none")

    async def ignore(*args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(get_store(), "search", nothing)
    monkeypatch.setattr(knowledge, "record_unanswered", ignore)


@pytest.fixture
def real_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """The knowledge base's own search again (after `nothing_found`), for what it places."""
    store = get_store()
    monkeypatch.setattr(store, "search", type(store).search.__get__(store))


def marked(text: str, intent: str, candidate: str) -> dict[str, Any]:
    event = user_event(text, intent)
    event["parse_data"]["entities"] = [{"entity": "service_candidate", "value": candidate}]
    return event


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [str(message.get("response")) for message in dispatcher.messages]


async def first_reply(action: Action, event: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The first response `action` gives to a conversation of one message, and its events."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker([event]), EMPTY_DOMAIN)
    return responses(dispatcher)[0], events


async def test_chit_chat_taken_for_a_search_condition_is_not_asked_back() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([marked(CHIT_CHAT, "inform_eldercare", "request_eldercare")])
    events = await ActionCheckEldercareContext().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert "utter_confirm_request_eldercare" not in responses(dispatcher)
    assert dispatcher.messages and events[-1] == LISTEN


async def test_another_departments_business_naming_a_district_is_not_an_eldercare_search(
    real_search: None,
) -> None:
    for text, reply in (
        ("萧山区公积金中心在哪", "utter_other_agency"),  # the housing fund's business
        ("萧山区的", "utter_confirm_request_eldercare"),
    ):
        event = marked(text, "inform_eldercare", "request_eldercare")
        said, events = await first_reply(ActionCheckEldercareContext(), event)
        assert said == reply, text
        assert events[-1] == LISTEN


async def test_a_household_fact_outside_the_prescreen_is_asked_back_chit_chat_is_not() -> None:
    for text, asked_back in (
        ("老伴瘫痪在床", True),
        ("我家三口人，月收入两千", True),
        (CHIT_CHAT, False),
    ):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker([marked(text, "describe_household", "request_prescreen")])
        events = await ActionCheckPrescreenContext().run(dispatcher, tracker, EMPTY_DOMAIN)
        assert ("utter_confirm_request_prescreen" in responses(dispatcher)) == asked_back, text
        assert events[-1] == LISTEN


async def test_another_departments_business_naming_a_household_fact_is_referred_there(
    real_search: None,
) -> None:
    for text, reply in (
        ("家里有辆车，公积金怎么提取", "utter_other_agency"),  # the housing fund's business
        ("我家三口人，月收入两千", "utter_confirm_request_prescreen"),
    ):
        event = marked(text, "describe_household", "request_prescreen")
        said, events = await first_reply(ActionCheckPrescreenContext(), event)
        assert said == reply, text
        assert events[-1] == LISTEN
    for text, reply in (
        ("广东户口迁回海南落户的程序", "utter_other_agency"),  # 落户 is the police's
        ("收入说错了", "utter_confirm_request_prescreen"),
    ):
        event = user_event(text, "correct_prescreen_answer")
        said, _ = await first_reply(ActionCorrectPrescreenAnswer(), event)
        assert said == reply, text


async def test_a_correction_without_a_prescreen_is_asked_back_only_with_a_fact() -> None:
    for text, asked_back in (("收入说错了", True), (CHIT_CHAT, False)):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker([user_event(text, "correct_prescreen_answer")])
        await ActionCorrectPrescreenAnswer().run(dispatcher, tracker, EMPTY_DOMAIN)
        assert ("utter_confirm_request_prescreen" in responses(dispatcher)) == asked_back, text


async def test_booking_details_outside_a_booking_get_the_pointer_chit_chat_does_not() -> None:
    for text, pointer in (("下周三上午", True), ("张伟", True), (CHIT_CHAT, False)):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker([user_event(text, "inform_marriage_details")])
        events = await ActionMarriageDetailsWithoutForm().run(dispatcher, tracker, EMPTY_DOMAIN)
        assert ("utter_marriage_details_without_form" in responses(dispatcher)) == pointer, text
        assert dispatcher.messages and events[-1] == LISTEN


async def test_a_question_naming_a_day_that_the_knowledge_stage_places_is_not_asked_back(
    real_search: None,
) -> None:
    for text, reply in (
        ("2023元旦可以领结婚证吗", "utter_knowledge_referral"),  # the marriage office
        ("明天可以吗", "utter_marriage_details_without_form"),  # nothing else to go on
    ):
        event = user_event(text, "inform_marriage_details")
        said, events = await first_reply(ActionMarriageDetailsWithoutForm(), event)
        assert said == reply, text
        assert events[-1] == LISTEN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("结婚登记", True),
        ("330106199506054016", True),
        ("13812345678", True),
        ("我叫王芳", True),
        ("我喜欢周杰伦的歌", False),
        ("你好漂亮", False),
    ],
)
def test_what_counts_as_booking_details(text: str, expected: bool) -> None:
    assert tells_booking_details(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("家里有辆车", True), ("没有存款", True), ("儿子残疾没有工作", True), ("我今天好开心", False)],
)
def test_what_counts_as_household_facts(text: str, expected: bool) -> None:
    assert tells_household_facts(text) is expected


@pytest.mark.parametrize(
    ("action", "intent"),
    [
        (ActionResetEldercareSearch(), "restart_eldercare_search"),
        (ActionRelaxFacilitySearch(), "relax_eldercare_search"),
        (ActionShowMoreFacilities(), "request_more_facilities"),
    ],
)
async def test_a_search_follow_up_before_any_search_speaks_of_no_search(
    action: Action, intent: str
) -> None:
    # "重新筛选", "放宽条件", "换一批" mean something only after a search: the classifier's guess
    # alone neither opens the search nor says "还没有查找条件" about a search nobody asked for.
    for text, asked_back in ((CHIT_CHAT, False), ("重新找找西湖区的", True)):
        dispatcher = CollectingDispatcher()
        events = await action.run(
            dispatcher, make_tracker([user_event(text, intent)]), EMPTY_DOMAIN
        )
        assert events[-1] == LISTEN and not any(e["event"] == "slot" for e in events)
        assert responses(dispatcher) == (
            ["utter_confirm_request_eldercare"] if asked_back else ["utter_ask_rephrase"]
        ), text


async def test_search_again_after_a_search_forgets_the_conditions() -> None:
    tracker = make_tracker(
        [
            user_event("西湖区", "inform_eldercare"),
            SEARCH_RAN,
            user_event("重新筛选", "restart_eldercare_search"),
        ]
    )
    events = await ActionResetEldercareSearch().run(CollectingDispatcher(), tracker, EMPTY_DOMAIN)
    assert events and all(e["event"] == "slot" and e["value"] is None for e in events)
