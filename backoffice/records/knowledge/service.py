"""Storing and summarising knowledge feedback."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from backoffice.records.knowledge.models import KnowledgeFeedback, UnansweredQuestion
from backoffice.records.knowledge.schemas import FeedbackIn, UnansweredIn
from knowledge.question_rule import is_real_question


@dataclass(frozen=True)
class ArticleFeedback:
    """Helpful / not helpful counts of one article."""

    article_id: str
    helpful: int
    not_helpful: int


def record_feedback(*, session: Session, feedback: FeedbackIn) -> None:
    """Store one feedback press."""
    session.add(KnowledgeFeedback(**feedback.model_dump()))
    session.commit()


def record_unanswered(*, session: Session, question: UnansweredIn) -> bool:
    """Store one unanswered question; noise (knowledge/question_rule.py) is not stored.

    Returns:
        True when it was stored, False when it is not a real question.
    """
    if not is_real_question(question.question):
        return False
    session.add(UnansweredQuestion(**question.model_dump()))
    session.commit()
    return True


def latest_unanswered(*, session: Session, limit: int) -> list[UnansweredQuestion]:
    """The most recent unanswered questions, newest first."""
    query = select(UnansweredQuestion).order_by(UnansweredQuestion.id.desc()).limit(limit)
    return list(session.scalars(query))


def feedback_summary(*, session: Session) -> list[ArticleFeedback]:
    """Helpful / not helpful counts per article, most complained-about first."""
    helpful = func.sum(case((KnowledgeFeedback.helpful, 1), else_=0))
    not_helpful = func.sum(case((KnowledgeFeedback.helpful, 0), else_=1))
    query = (
        select(KnowledgeFeedback.article_id, helpful, not_helpful)
        .group_by(KnowledgeFeedback.article_id)
        .order_by(not_helpful.desc())
    )
    return [
        ArticleFeedback(article_id=row[0], helpful=int(row[1]), not_helpful=int(row[2]))
        for row in session.execute(query)
    ]
