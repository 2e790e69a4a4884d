"""Call-back requests left outside office hours: record, list, mark as made."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backoffice.db import utcnow
from backoffice.records.handoff.masking import mask_text
from backoffice.records.handoff.models import CallbackRequest
from backoffice.records.handoff.state_changes import HandoffConflictError, apply_update
from backoffice.staff.models import StaffUser


def create_callback(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    phone: str,
    preferred_time: str,
    preferred_date: dt.date | None,
    preferred_half_day: str | None,
    service: str | None,
    reason: str,
) -> CallbackRequest:
    """Record a call-back request; a second open request of the conversation replaces it."""
    existing = session.scalar(
        select(CallbackRequest).where(
            CallbackRequest.conversation_id == conversation_id, CallbackRequest.status == "open"
        )
    )
    callback = existing or CallbackRequest(conversation_id=conversation_id)
    callback.channel = channel
    callback.phone = phone
    callback.preferred_time = mask_text(preferred_time)
    callback.preferred_date = preferred_date
    callback.preferred_half_day = preferred_half_day
    callback.service = service
    callback.reason = reason
    session.add(callback)
    session.commit()
    return callback


def list_callbacks(*, session: Session, include_done: bool = False) -> list[CallbackRequest]:
    """Call-back requests, open ones first, oldest first."""
    query = select(CallbackRequest).order_by(CallbackRequest.status.desc(), CallbackRequest.id)
    if not include_done:
        query = query.where(CallbackRequest.status == "open")
    return list(session.scalars(query))


def mark_callback_done(
    *, session: Session, callback_id: int, staff: StaffUser, now: dt.datetime | None = None
) -> CallbackRequest:
    """Mark a call-back as made (idempotent).

    Raises:
        HandoffConflictError: "callback_not_found".
    """
    callback = session.get(CallbackRequest, callback_id)
    if callback is None:
        raise HandoffConflictError("callback_not_found")
    apply_update(
        session,
        update(CallbackRequest)
        .where(CallbackRequest.id == callback_id, CallbackRequest.status == "open")
        .values(status="done", done_at=now or utcnow(), done_by_id=staff.id),
    )
    session.refresh(callback)
    return callback
