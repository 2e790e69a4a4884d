"""The fallback action: confirm a held-back service once, else answer, refer or rephrase."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import knowledge
from actions.fallback import ActionHandleFallback
from knowledge.search_results import SearchResult
from knowledge.store import get_store
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event

DOMAIN: DomainDict = {
    **EMPTY_DOMAIN,
    "responses": {"utter_confirm_request_marriage_booking": [{"text": "?"}]},
}


def candidate_event(text: str) -> dict[str, Any]:
    event = user_event(text, "nlu_fallback")
    event["parse_data"]["entities"] = [
        {"entity": "service_candidate", "value": "request_marriage_booking"}
    ]
    return event


@pytest.fixture
def no_articles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The knowledge base finds nothing, whatever is asked."""

    def nothing(text: str, **_: object) -> SearchResult:
        return SearchResult(query=text, terms=[], decision="none")

    monkeypatch.setattr(get_store(), "search", nothing)


@pytest.fixture
def no_backoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    async def ignore(*args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(knowledge, "record_unanswered", ignore)


async def test_a_held_back_service_is_confirmed_with_its_question(no_backoffice) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(
        dispatcher, make_tracker([candidate_event("结婚登记")]), DOMAIN
    )
    assert dispatcher.messages[0]["response"] == "utter_confirm_request_marriage_booking"
    assert events[-1]["name"] == "action_listen"


async def test_the_confirmation_is_asked_only_once(no_backoffice) -> None:
    bot = {
        "event": "bot",
        "text": "?",
        "metadata": {"utter_action": "utter_confirm_request_marriage_booking"},
    }
    tracker = make_tracker([candidate_event("结婚登记"), bot, candidate_event("结婚登记")])
    dispatcher = CollectingDispatcher()
    await ActionHandleFallback().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[0]["response"] != "utter_confirm_request_marriage_booking"


async def test_a_topical_question_without_an_article_is_referred(
    no_backoffice, no_articles
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionHandleFallback().run(
        dispatcher, make_tracker([user_event("骨灰寄存满了怎么续", "nlu_fallback")]), EMPTY_DOMAIN
    )
    message = dispatcher.messages[0]
    assert message["response"] == "utter_knowledge_referral"
    assert message["topic"] == "殡葬服务" and "12345" in message["contacts"]


async def test_inside_a_form_no_answer_lets_the_form_go_on(no_backoffice, no_articles) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user_event("不限定用途，哪里需要捐哪里", "ask_policy_question")],
        active_loop="donation_form",
    )
    events = await knowledge.ActionAnswerFromKnowledge().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert dispatcher.messages == [] and events == []


async def test_the_fallback_inside_a_form_always_says_something(no_backoffice, no_articles) -> None:
    # The fallback hands the turn to the citizen: a silent reply here would be a silent drop.
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("嗯嗯啊啊", "nlu_fallback")], active_loop="donation_form")
    await ActionHandleFallback().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert dispatcher.messages, "the citizen gets a reply"


async def test_after_a_completed_action_replied_the_fallback_says_nothing(no_articles) -> None:
    # 确定取消 → "已为您取消预约 …": no policy knows what follows; the citizen was answered.
    cancelled = {
        "event": "bot",
        "text": "已为您取消预约 HY-20261210-0001",
        "metadata": {"utter_action": "utter_marriage_cancelled"},
    }
    tracker = make_tracker(
        [user_event("/affirm", "affirm"), {"event": "action", "name": "x"}, cancelled]
    )
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages == []
    assert events[-1]["name"] == "action_listen"


def reschedule_candidate(text: str) -> dict[str, Any]:
    event = user_event(text, "nlu_fallback")
    event["parse_data"]["entities"] = [
        {"entity": "service_candidate", "value": "reschedule_marriage_booking"}
    ]
    return event


async def test_after_booking_here_a_new_time_starts_the_reschedule_without_asking_back() -> None:
    tracker = make_tracker(
        [reschedule_candidate("我想把时间改到下周五下午")],
        slots={"marriage_reference": "HY-20261209-0001"},
    )
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(dispatcher, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["marriage_manage_action"] == "reschedule"
    assert slots["marriage_lookup_request"] == "我想把时间改到下周五下午"
    assert slots["marriage_lookup_reference"] == "HY-20261209-0001"
    assert {"event": "active_loop", "name": "marriage_lookup_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    assert events[-1] == {"event": "followup", "name": "marriage_lookup_form", "timestamp": None}


async def test_without_a_booking_here_the_reschedule_is_asked_back(no_backoffice) -> None:
    domain: DomainDict = {
        **EMPTY_DOMAIN,
        "responses": {"utter_confirm_reschedule_marriage_booking": [{"text": "?"}]},
    }
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([reschedule_candidate("我想把时间改到下周五下午")])
    await ActionHandleFallback().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_confirm_reschedule_marriage_booking"


async def test_inside_a_form_the_answer_is_followed_by_the_form_again(no_backoffice) -> None:
    tracker = make_tracker(
        [user_event("住养老院能用医保报销吗", "nlu_fallback")], active_loop="eldercare_search_form"
    )
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_resume_eldercare_search_form"
    assert events[-1]["name"] == "eldercare_search_form"
