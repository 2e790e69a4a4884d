"""Records and counts → the API's schemas (used by the routes)."""

from __future__ import annotations

from backoffice.records.knowledge.models import UnansweredQuestion
from backoffice.records.knowledge.schemas import ArticleFeedbackOut, RecordedOut, UnansweredOut
from backoffice.records.knowledge.service import ArticleFeedback


def recorded_out(*, stored: bool = True) -> RecordedOut:
    """`recorded`, or `ignored` for what was not stored (noise)."""
    return RecordedOut(status="recorded" if stored else "ignored")


def unanswered_out(question: UnansweredQuestion) -> UnansweredOut:
    """The API shape of a stored unanswered question."""
    return UnansweredOut.model_validate(question)


def feedback_out(counts: ArticleFeedback) -> ArticleFeedbackOut:
    """The API shape of one article's feedback counts."""
    return ArticleFeedbackOut(
        article_id=counts.article_id, helpful=counts.helpful, not_helpful=counts.not_helpful
    )
