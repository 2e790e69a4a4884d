from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import knowledge
from actions.clients.backoffice import BackofficeTransport
from actions.clients.knowledge import KnowledgeApi
from actions.fallback import ActionHandleFallback
from knowledge.store import get_store
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    calls: list[tuple[str, dict[str, Any]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append((request.url.path, json.loads(request.content)))
        return httpx.Response(201, json={"status": "recorded"})

    transport = BackofficeTransport(
        base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(handler)
    )
    monkeypatch.setattr(knowledge, "get_knowledge_api", lambda: KnowledgeApi(transport))
    return calls


def confident_question() -> tuple[str, str]:
    """An example question of some article that the store answers confidently."""
    store = get_store()
    assert store.knowledge_base is not None
    for article in store.knowledge_base.articles:
        result = store.search(article.questions[0])
        if result.decision == "answer" and result.answer is not None:
            return article.questions[0], result.answer.article_id
    raise AssertionError("no article answers its own example question confidently")


async def test_confident_answer_has_source_date_and_feedback_buttons(recorded) -> None:
    question, article_id = confident_question()
    dispatcher = CollectingDispatcher()
    events = await knowledge.ActionAnswerFromKnowledge().run(
        dispatcher, make_tracker([user_event(question, "ask_policy_question")]), EMPTY_DOMAIN
    )
    [message] = dispatcher.messages
    assert message["response"] in {"utter_knowledge_answer", "utter_knowledge_answer_sample"}
    assert message["source"] and message["updated"]
    assert events == [
        {"event": "slot", "name": "knowledge_article", "value": article_id, "timestamp": None}
    ]
    assert recorded == []


async def test_nothing_confident_is_recorded_and_asks_to_rephrase(recorded) -> None:
    dispatcher = CollectingDispatcher()
    question = "火星上的天气和股票行情"
    await knowledge.ActionAnswerFromKnowledge().run(
        dispatcher, make_tracker([user_event(question, "ask_policy_question")]), EMPTY_DOMAIN
    )
    assert dispatcher.messages[0]["response"] == "utter_ask_rephrase"
    assert recorded[0][0] == "/api/knowledge/unanswered"
    assert recorded[0][1]["question"] == question


async def test_a_benefit_not_named_is_asked_which_then_offered_a_person(recorded) -> None:
    question = "那个补贴什么时候发"
    dispatcher = CollectingDispatcher()
    first = [user_event(question, "ask_policy_question")]
    await knowledge.ActionAnswerFromKnowledge().run(dispatcher, make_tracker(first), EMPTY_DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_which_benefit"]
    assert recorded[0][1]["question"] == question
    asked = {"event": "bot", "metadata": {"utter_action": "utter_ask_which_benefit"}}
    again = [*first, asked, user_event(question, "ask_policy_question")]
    dispatcher = CollectingDispatcher()
    await knowledge.ActionAnswerFromKnowledge().run(dispatcher, make_tracker(again), EMPTY_DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_offer_human"]


async def test_chosen_suggestion_answers_that_article(recorded) -> None:
    _, article_id = confident_question()
    event = user_event("/choose_article", "choose_article")
    event["parse_data"]["entities"] = [{"entity": "knowledge_article", "value": article_id}]
    dispatcher = CollectingDispatcher()
    events = await knowledge.ActionAnswerFromKnowledge().run(
        dispatcher, make_tracker([event]), EMPTY_DOMAIN
    )
    assert events[0]["value"] == article_id


async def test_feedback_is_recorded_for_the_last_article(recorded) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user_event("没帮助", "feedback_not_helpful")], slots={"knowledge_article": "abc"}
    )
    await knowledge.ActionRecordKnowledgeFeedback().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert recorded == [
        (
            "/api/knowledge/feedback",
            {"conversation_id": "web-test", "article_id": "abc", "helpful": False},
        )
    ]
    assert dispatcher.messages[0]["response"] == "utter_knowledge_thanks_not_helpful"


@pytest.mark.parametrize("answerable", [True, False])
async def test_fallback_always_hands_the_turn_back_to_the_citizen(recorded, answerable) -> None:
    # As the core fallback no rule follows it: without an explicit listen the policies would
    # predict (and fall back) again and again until Rasa's circuit breaker.
    question = confident_question()[0] if answerable else "火星上的天气和股票行情"
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(
        dispatcher, make_tracker([user_event(question, "nlu_fallback")]), EMPTY_DOMAIN
    )
    assert dispatcher.messages, "the citizen gets an answer or a request to rephrase"
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}


async def test_another_departments_business_names_that_department(recorded) -> None:
    # "个税" and "发票" are the tax office's words; the donation article on tax deduction shares
    # words with it but the question does not mention giving.
    dispatcher = CollectingDispatcher()
    await knowledge.ActionAnswerFromKnowledge().run(
        dispatcher,
        make_tracker([user_event("个人发票怎么抵扣个税", "ask_policy_question")]),
        EMPTY_DOMAIN,
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_other_agency"
    assert "税务" in message["office"] and "12345" in message["contacts"]
    assert recorded == []  # not a civil-affairs question for the editors' list


async def test_a_tie_with_another_department_stays_a_civil_affairs_question(recorded) -> None:
    # "工伤" (human resources) against "护理院" (eldercare's own business): one word each, and
    # no article fits. A tie stays ours: the eldercare office is named, the editors see it.
    dispatcher = CollectingDispatcher()
    question = "工伤以后住护理院谁出钱"
    await knowledge.ActionAnswerFromKnowledge().run(
        dispatcher, make_tracker([user_event(question, "ask_policy_question")]), EMPTY_DOMAIN
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_knowledge_referral"
    assert [path for path, _ in recorded] == ["/api/knowledge/unanswered"]


@pytest.mark.parametrize("question", ["感冒了注意什么", "谁是我的爸爸妈妈"])
async def test_no_menu_across_topics_for_a_message_on_no_civil_subject(recorded, question) -> None:
    # The search would offer articles of two topics (公墓 and 社团 …), and no topic's words
    # are in the message.
    result = get_store().search(question)
    assert result.decision == "suggest" and not result.suggests_one_topic
    dispatcher = CollectingDispatcher()
    await knowledge.ActionAnswerFromKnowledge().run(
        dispatcher, make_tracker([user_event(question, "ask_policy_question")]), EMPTY_DOMAIN
    )
    responses = [m.get("response") for m in dispatcher.messages]
    assert "utter_knowledge_suggest" not in responses
    assert {"utter_ask_rephrase", "utter_offer_human"} & set(responses)


async def test_a_menu_without_the_named_topics_articles_gives_way_to_its_office(recorded) -> None:
    # "社区" names the community topic; the close articles are about marriage, children and
    # assistance: the citizen gets the community office, not a menu of other topics.
    question = "对社区工作人员有意见怎么办"
    result = get_store().search(question)
    assert result.decision == "suggest"
    assert "community" not in {match.topic for match in result.suggestions}
    dispatcher = CollectingDispatcher()
    await knowledge.ActionAnswerFromKnowledge().run(
        dispatcher, make_tracker([user_event(question, "ask_policy_question")]), EMPTY_DOMAIN
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_knowledge_referral"
    kb = get_store().knowledge_base
    assert kb is not None and message["topic"] == kb.topics["community"]
