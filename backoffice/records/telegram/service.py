"""Telegram records: failed sends, long callback payloads, the handoff relay's claims."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.db import rowcount, utcnow
from backoffice.records.handoff.models import HandoffMessage, HandoffTicket
from backoffice.records.telegram.models import (
    FAILED,
    RELAY_CLAIMED,
    TelegramCallbackPayload,
    TelegramFailedSend,
    TelegramRelayedMessage,
)

ERROR_MAX_CHARS = 500


def record_failed_send(
    *,
    session: Session,
    chat_id: str,
    text: str,
    reply_markup: dict[str, Any] | None,
    error: str,
    attempts: int,
) -> TelegramFailedSend:
    """Keep an outgoing message that could not be sent."""
    row = TelegramFailedSend(
        chat_id=chat_id,
        text=text,
        reply_markup=reply_markup,
        error=error[:ERROR_MAX_CHARS],
        attempts=attempts,
        status=FAILED,
    )
    session.add(row)
    session.commit()
    return row


def failed_sends(*, session: Session, status: str | None = FAILED) -> list[TelegramFailedSend]:
    """Failed sends, newest first (all of them when `status` is None)."""
    query = select(TelegramFailedSend).order_by(TelegramFailedSend.id.desc())
    if status is not None:
        query = query.where(TelegramFailedSend.status == status)
    return list(session.scalars(query))


def save_callback_payload(*, session: Session, key: str, payload: str) -> None:
    """Store `payload` under `key` (idempotent: keys are derived from the payload)."""
    existing = session.get(TelegramCallbackPayload, key)
    if existing is not None:
        existing.created_at = utcnow()  # pressed again later: keep it alive
        session.commit()
        return
    session.add(TelegramCallbackPayload(key=key, payload=payload))
    try:
        session.commit()
    except IntegrityError:  # another process stored the same key meanwhile
        session.rollback()


def load_callback_payload(*, session: Session, key: str, max_age: dt.timedelta) -> str | None:
    """The payload stored under `key`, unless it is older than `max_age`."""
    row = session.get(TelegramCallbackPayload, key)
    if row is None or row.created_at < utcnow() - max_age:
        return None
    return row.payload


def purge_callback_payloads(*, session: Session, max_age: dt.timedelta) -> int:
    """Delete payloads older than `max_age`; returns how many."""
    result = session.execute(
        delete(TelegramCallbackPayload).where(
            TelegramCallbackPayload.created_at < utcnow() - max_age
        )
    )
    session.commit()
    return rowcount(result)


def pending_desk_messages(
    *, session: Session, channel: str, since: dt.datetime, limit: int = 100
) -> list[tuple[HandoffMessage, str]]:
    """Desk messages for citizens of `channel` not yet relayed, oldest first, with the sender."""
    relayed = exists().where(TelegramRelayedMessage.handoff_message_id == HandoffMessage.id)
    rows = session.execute(
        select(HandoffMessage, HandoffTicket.sender)
        .join(HandoffTicket, HandoffTicket.id == HandoffMessage.ticket_id)
        .where(
            HandoffTicket.channel == channel,
            HandoffMessage.push_to_citizen.is_(True),
            HandoffMessage.created_at >= since,
            ~relayed,
        )
        .order_by(HandoffMessage.id)
        .limit(limit)
    )
    return [(message, sender) for message, sender in rows]


def claim_desk_message(*, session: Session, message_id: int) -> bool:
    """Claim a desk message for sending; False when another process already did."""
    session.add(TelegramRelayedMessage(handoff_message_id=message_id, status=RELAY_CLAIMED))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def finish_desk_message(*, session: Session, message_id: int, status: str) -> None:
    """Record how relaying a claimed desk message ended ("sent" or "failed")."""
    row = session.get(TelegramRelayedMessage, message_id)
    if row is not None:
        row.status = status
        session.commit()
