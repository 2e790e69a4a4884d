"""What editors decided about a turn of a conversation (the turn then leaves the inbox)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.db import Base, utcnow

NLU = "nlu"
KNOWLEDGE = "knowledge"
OFF_TOPIC = "off_topic"
DISMISSED = "dismissed"
DECISIONS = (NLU, KNOWLEDGE, OFF_TOPIC, DISMISSED)


class ReviewDecision(Base):
    """One editor's decision on one citizen turn (or, dismissed, on a whole conversation)."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<conversation id>@<epoch seconds of the turn>" (or of the conversation's start).
    turn_key: Mapped[str] = mapped_column(String(200), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(160), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    # The intent or the article id the turn was added to.
    target: Mapped[str | None] = mapped_column(String(128), default=None)
    # The masked words that were written.
    text: Mapped[str] = mapped_column(Text, default="")
    editor: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
