"""API shapes of knowledge feedback and unanswered questions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class FeedbackIn(BaseModel):
    """A citizen's 有帮助 / 没帮助 on an article."""

    conversation_id: str = Field(min_length=1, max_length=128)
    article_id: str = Field(min_length=1, max_length=128)
    helpful: bool


class UnansweredIn(BaseModel):
    """A question without a confident answer."""

    conversation_id: str = Field(min_length=1, max_length=128)
    question: str = Field(min_length=1, max_length=2000)
    best_article: str | None = Field(default=None, max_length=128)
    best_confidence: float | None = Field(default=None, ge=0)


class UnansweredOut(UnansweredIn):
    """An unanswered question as editors see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime


class ArticleFeedbackOut(BaseModel):
    """Feedback counts of one article."""

    article_id: str
    helpful: int
    not_helpful: int


class RecordedOut(BaseModel):
    """What became of a feedback or a question sent by the action server."""

    status: Literal["recorded", "ignored"]
