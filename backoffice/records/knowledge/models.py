"""What citizens thought of knowledge answers, and the questions that found none."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.db import Base


def utc_now() -> datetime:
    """The current time in UTC (column default)."""
    return datetime.now(UTC)


class KnowledgeFeedback(Base):
    """One 有帮助 / 没帮助 press on an answer."""

    __tablename__ = "knowledge_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    article_id: Mapped[str] = mapped_column(String(128), index=True)
    helpful: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class UnansweredQuestion(Base):
    """A question the knowledge base had no confident answer for."""

    __tablename__ = "knowledge_unanswered"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    question: Mapped[str] = mapped_column(Text)
    best_article: Mapped[str | None] = mapped_column(String(128))
    best_confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
