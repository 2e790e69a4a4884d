"""The editors' list of unanswered questions keeps real questions and drops noise."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.records.knowledge import service
from backoffice.records.knowledge.mapping import feedback_out
from backoffice.records.knowledge.models import UnansweredQuestion
from backoffice.records.knowledge.schemas import FeedbackIn, UnansweredIn


def record(session: Session, question: str) -> bool:
    body = UnansweredIn(conversation_id="web-editor-test", question=question)
    return service.record_unanswered(session=session, question=body)


def test_only_real_questions_are_listed(session: Session) -> None:
    assert record(session, "啊" * 500) is False
    assert record(session, "<script>alert(1)</script>") is False
    assert record(session, "1'; DROP TABLE handoff_tickets; --") is False
    assert record(session, "殡葬补贴怎么领？") is True
    stored = session.scalars(select(UnansweredQuestion.question)).all()
    assert stored == ["殡葬补贴怎么领？"]
    assert [q.question for q in service.latest_unanswered(session=session, limit=10)] == stored


def test_feedback_is_counted_per_article_most_complained_about_first(session: Session) -> None:
    presses = [("a", True), ("a", True), ("b", False), ("b", False), ("b", True), ("a", False)]
    for article_id, helpful in presses:
        body = FeedbackIn(conversation_id="web-editor-test", article_id=article_id, helpful=helpful)
        service.record_feedback(session=session, feedback=body)
    shown = [feedback_out(counts) for counts in service.feedback_summary(session=session)]
    assert [(row.article_id, row.helpful, row.not_helpful) for row in shown] == [
        ("b", 1, 2),
        ("a", 2, 1),
    ]
