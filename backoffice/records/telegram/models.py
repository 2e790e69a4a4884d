"""Telegram records: outgoing messages that failed, long button payloads, relayed desk messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.db import Base, utcnow

FAILED = "failed"
RESENT = "resent"

RELAY_CLAIMED = "claimed"
RELAY_SENT = "sent"
RELAY_FAILED = "failed"


class TelegramFailedSend(Base):
    """An outgoing Telegram message that could not be sent even after the retries."""

    __tablename__ = "telegram_failed_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    # The inline keyboard as sent (Bot API JSON), so a resend looks the same.
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=FAILED)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class TelegramCallbackPayload(Base):
    """A button payload longer than Telegram's 64-byte callback data, under a short key."""

    __tablename__ = "telegram_callback_payloads"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class TelegramRelayedMessage(Base):
    """A handoff desk message (staff reply, status) taken by the Telegram relay.

    The primary key is the claim: whichever process inserts the row first sends the message,
    so several processes never send it twice.
    """

    __tablename__ = "telegram_relayed_messages"

    # handoff_messages.id; no foreign key so this branch does not depend on the handoff branch.
    handoff_message_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), default=RELAY_CLAIMED)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
