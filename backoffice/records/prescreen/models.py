"""Pre-screen log and assistance applications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.db import Base


class PrescreenCheck(Base):
    """One pre-screen as it was run, for staff to audit later.

    Inputs are stored as structured facts (no free text, no identifiers); the conversation is
    kept only as a hash, so a channel's user id (WeChat openid, Telegram chat id) is not stored.
    """

    __tablename__ = "prescreen_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    as_of: Mapped[date] = mapped_column(Date)
    conversation_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    policy_version: Mapped[str] = mapped_column(String(400))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class AssistanceApplication(Base):
    """An application for assistance and the stage it has reached.

    The identity number and phone are stored as SHA-256 digests (for the lookup, which needs
    both) and in masked form (for display); never in clear.
    """

    __tablename__ = "assistance_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    programme: Mapped[str] = mapped_column(String(16))
    district_code: Mapped[str] = mapped_column(String(32))
    applicant_masked: Mapped[str] = mapped_column(String(32))
    id_number_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str] = mapped_column(String(32))
    phone_hash: Mapped[str] = mapped_column(String(64))
    phone_masked: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(16))
    submitted_on: Mapped[date] = mapped_column(Date)
    stage_updated_on: Mapped[date] = mapped_column(Date)
    sample: Mapped[bool] = mapped_column(default=False)
