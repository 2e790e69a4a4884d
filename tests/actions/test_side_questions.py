"""A question inside a form is read as being about that form's service, and the form resumes."""

from __future__ import annotations

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import ActionAnswerFromKnowledge
from actions.side_questions import form_subject
from core.settings import PROJECT_ROOT
from knowledge.reply import search_in_context
from knowledge.store import get_store
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event

DOMAIN_DIR = PROJECT_ROOT / "bot" / "domain"


def domain_part(key: str) -> dict[str, object]:
    merged: dict[str, object] = {}
    for path in DOMAIN_DIR.glob("*.yml"):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8")).get(key) or {})
    return merged


def test_every_form_has_its_resume_line() -> None:
    responses = domain_part("responses")
    missing = [f for f in domain_part("forms") if f"utter_resume_{f}" not in responses]
    assert missing == []


def test_documents_during_a_marriage_booking_are_the_marriage_documents() -> None:
    tracker = make_tracker(
        [user_event("要带什么材料", "ask_policy_question")], active_loop="marriage_form"
    )
    subject = form_subject(tracker)
    assert subject == "结婚登记"
    result = search_in_context(get_store(), "要带什么材料", subject)
    assert result.decision == "answer"
    assert result.matches[0].article_id == "marriage-documents-2025"


def test_during_a_divorce_booking_they_are_the_divorce_documents() -> None:
    tracker = make_tracker(
        [user_event("要带什么材料", "ask_policy_question")],
        slots={"marriage_business_type": "divorce"},
        active_loop="marriage_form",
    )
    result = search_in_context(get_store(), "要带什么材料", form_subject(tracker))
    assert result.matches[0].article_id == "marriage-divorce-documents"


def test_a_question_that_answers_itself_is_not_changed() -> None:
    result = search_in_context(get_store(), "捐款能抵税吗", "慈善捐赠")
    assert result.query == search_in_context(get_store(), "捐款能抵税吗", None).query


async def test_the_answer_is_followed_by_the_resume_line(monkeypatch) -> None:
    async def ignore(*args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr("actions.knowledge.record_unanswered", ignore)
    tracker = make_tracker(
        [user_event("要带什么材料", "ask_policy_question")], active_loop="marriage_form"
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswerFromKnowledge().run(dispatcher, tracker, EMPTY_DOMAIN)
    responses = [m["response"] for m in dispatcher.messages]
    assert responses[-1] == "utter_resume_marriage_form"
    assert responses[0].startswith("utter_knowledge_answer")
