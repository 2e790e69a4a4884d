"""Ticket, message, staff and call-back records (synchronous; the desk runs them in threads).

Every state change is a conditional UPDATE checked by its row count, so two staff members (or
two processes) acting at once cannot both win: exactly one claim, one close, one hand-back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.db import utcnow
from backoffice.records.handoff.masking import mask_slots, mask_text
from backoffice.records.handoff.models import (
    CANCELLED,
    CLAIMED,
    CLOSED,
    HANDED_BACK,
    OPEN_STATUSES,
    URGENT,
    WAITING,
    CallbackRequest,
    HandoffMessage,
    HandoffTicket,
)
from backoffice.records.handoff.texts import error_text
from backoffice.staff.models import StaffUser
from core.errors import ApiError

STAFF_SEEN_WINDOW = dt.timedelta(minutes=15)


# The status of a lost state change when it is not 409 Conflict.
CONFLICT_STATUS = {
    "ticket_not_found": 404,
    "callback_not_found": 404,
    "not_yours": 403,
    "resume_not_allowed": 422,
}


class HandoffConflictError(ApiError):
    """A state change lost (already claimed, no longer waiting, not yours); `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(CONFLICT_STATUS.get(code, 409), code, error_text(code))


@dataclass(frozen=True)
class TranscriptLine:
    """One line of the conversation before the handover."""

    kind: str
    text: str


# ---- tickets ----


def open_ticket_for(*, session: Session, conversation_id: str) -> HandoffTicket | None:
    """The waiting or claimed ticket of a conversation, if any."""
    return session.scalar(
        select(HandoffTicket).where(HandoffTicket.open_conversation_id == conversation_id)
    )


def ticket_for_router(*, session: Session, conversation_id: str) -> HandoffTicket | None:
    """What the router asks before each message, in one statement.

    The open ticket of the conversation (a person owns it) if there is one; otherwise its
    newest ended ticket whose Rasa tracker is still paused (the resume failed earlier); else
    None. Tell the two apart by `open_conversation_id` (set only while the ticket is open).
    """
    return session.scalar(
        select(HandoffTicket)
        .where(
            HandoffTicket.conversation_id == conversation_id,
            or_(
                HandoffTicket.open_conversation_id == conversation_id,
                HandoffTicket.status.not_in(OPEN_STATUSES) & HandoffTicket.rasa_paused.is_(True),
            ),
        )
        # The open ticket first (false sorts before true), then the newest ended one.
        .order_by(HandoffTicket.open_conversation_id.is_(None), HandoffTicket.id.desc())
        .limit(1)
    )


def get_ticket(*, session: Session, ticket_id: int) -> HandoffTicket | None:
    """The ticket with `ticket_id`."""
    return session.get(HandoffTicket, ticket_id)


def open_ticket(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    sender: str,
    reason: str,
    urgency: str,
    service: str | None = None,
    reason_detail: str | None = None,
    summary: dict[str, Any] | None = None,
    transcript: Sequence[TranscriptLine] = (),
    now: dt.datetime | None = None,
) -> tuple[HandoffTicket, bool]:
    """Open a ticket for the conversation, or return the one already open.

    An urgent request escalates an open normal ticket and, when it is a crisis, the reason too
    (the worker must see "老人走失", not the earlier "转人工"). The earlier transcript is stored
    with the ticket (masked) and is not pushed to the citizen again.

    Returns:
        The ticket, and True when it was created now.
    """
    existing = open_ticket_for(session=session, conversation_id=conversation_id)
    if existing is not None:
        escalated = _escalate(
            session=session, ticket=existing, urgency=urgency, reason=reason, detail=reason_detail
        )
        return escalated, False
    clean_summary = dict(summary or {})
    if isinstance(clean_summary.get("slots"), dict):
        clean_summary["slots"] = mask_slots(clean_summary["slots"])
    ticket = HandoffTicket(
        conversation_id=conversation_id,
        open_conversation_id=conversation_id,
        channel=channel,
        sender=sender,
        reason=reason,
        reason_detail=reason_detail,
        service=service,
        urgency=urgency,
        status=WAITING,
        summary=clean_summary,
        created_at=now or utcnow(),
    )
    session.add(ticket)
    try:
        session.flush()
    except IntegrityError:
        # Another request opened one in between: that one is the conversation's ticket.
        session.rollback()
        raced = open_ticket_for(session=session, conversation_id=conversation_id)
        if raced is None:
            raise
        escalated = _escalate(
            session=session, ticket=raced, urgency=urgency, reason=reason, detail=reason_detail
        )
        return escalated, False
    for line in transcript:
        _add(session, ticket, kind=line.kind, text=line.text, created_at=ticket.created_at)
    session.commit()
    return ticket, True


def _escalate(
    *, session: Session, ticket: HandoffTicket, urgency: str, reason: str, detail: str | None
) -> HandoffTicket:
    if urgency == URGENT and (ticket.urgency != URGENT or ticket.reason != reason):
        ticket.urgency = URGENT
        ticket.reason = reason
        ticket.reason_detail = detail
        session.commit()
    return ticket


def waiting_queue(*, session: Session) -> list[HandoffTicket]:
    """Waiting tickets in the order staff take them: urgent first, then oldest first."""
    tickets = session.scalars(select(HandoffTicket).where(HandoffTicket.status == WAITING))
    return sorted(tickets, key=lambda t: (t.urgency != URGENT, t.created_at, t.id))


def open_tickets(*, session: Session) -> list[HandoffTicket]:
    """Every waiting or claimed ticket: the queue order first, then claimed ones oldest first."""
    claimed = session.scalars(
        select(HandoffTicket)
        .where(HandoffTicket.status == CLAIMED)
        .order_by(HandoffTicket.claimed_at, HandoffTicket.id)
    )
    return [*waiting_queue(session=session), *claimed]


def queue_position(*, session: Session, ticket: HandoffTicket) -> int | None:
    """1-based place of a waiting ticket in the queue; None when it is not waiting."""
    if ticket.status != WAITING:
        return None
    for index, waiting in enumerate(waiting_queue(session=session), start=1):
        if waiting.id == ticket.id:
            return index
    return None


def claim(
    *, session: Session, ticket_id: int, staff: StaffUser, now: dt.datetime | None = None
) -> HandoffTicket:
    """Give a waiting ticket to `staff`; exactly one of several concurrent claims wins.

    Raises:
        HandoffConflictError: "ticket_not_found", or "already_claimed" / "not_waiting".
    """
    result = _update(
        session,
        update(HandoffTicket)
        .where(HandoffTicket.id == ticket_id, HandoffTicket.status == WAITING)
        .values(status=CLAIMED, claimed_by_id=staff.id, claimed_at=now or utcnow()),
    )
    ticket = session.get(HandoffTicket, ticket_id, populate_existing=True)
    if ticket is None:
        raise HandoffConflictError("ticket_not_found")
    if result != 1:
        raise HandoffConflictError("already_claimed" if ticket.status == CLAIMED else "not_waiting")
    return ticket


def end_ticket(
    *,
    session: Session,
    ticket_id: int,
    staff: StaffUser | None,
    status: str,
    resume_intent: str | None = None,
    now: dt.datetime | None = None,
) -> HandoffTicket:
    """Close, hand back or cancel an open ticket (once).

    `closed` and `handed_back` need the claiming staff member (or a supervisor); `cancelled`
    (by the citizen, `staff` None) needs a waiting ticket.

    Raises:
        HandoffConflictError: "ticket_not_found", "not_yours", "not_claimed" or "not_waiting".
    """
    ticket = session.get(HandoffTicket, ticket_id)
    if ticket is None:
        raise HandoffConflictError("ticket_not_found")
    conditions = [HandoffTicket.id == ticket_id]
    if status == CANCELLED:
        conditions.append(HandoffTicket.status == WAITING)
    else:
        if staff is None:
            raise HandoffConflictError("not_yours")
        if ticket.status == WAITING and status == CLOSED and staff.role == "supervisor":
            conditions.append(HandoffTicket.status == WAITING)
        else:
            conditions.append(HandoffTicket.status == CLAIMED)
            if staff.role != "supervisor":
                conditions.append(HandoffTicket.claimed_by_id == staff.id)
    result = _update(
        session,
        update(HandoffTicket)
        .where(*conditions)
        .values(
            status=status,
            open_conversation_id=None,
            ended_at=now or utcnow(),
            ended_by_id=staff.id if staff else None,
            resume_intent=resume_intent,
        ),
    )
    ticket = session.get(HandoffTicket, ticket_id, populate_existing=True)
    assert ticket is not None
    if result != 1:
        if status == CANCELLED:
            raise HandoffConflictError("not_waiting")
        if ticket.status == WAITING:
            raise HandoffConflictError("not_claimed")
        if ticket.status == CLAIMED:
            raise HandoffConflictError("not_yours")
        raise HandoffConflictError("not_claimed")
    return ticket


def set_rasa_paused(*, session: Session, ticket_id: int, paused: bool) -> None:
    """Record whether Rasa's tracker of the ticket's conversation is paused."""
    _update(
        session,
        update(HandoffTicket).where(HandoffTicket.id == ticket_id).values(rasa_paused=paused),
    )


def _update(session: Session, statement: Any) -> int:
    result = session.execute(statement, execution_options={"synchronize_session": False})
    session.commit()
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


# ---- messages ----


def add_message(
    *,
    session: Session,
    ticket: HandoffTicket,
    kind: str,
    text: str,
    buttons: list[dict[str, str]] | None = None,
    staff: StaffUser | None = None,
    push_to_citizen: bool = False,
) -> HandoffMessage:
    """Store one message with the ticket (ID numbers masked) and commit."""
    message = _add(
        session,
        ticket,
        kind=kind,
        text=text,
        buttons=buttons,
        staff=staff,
        push_to_citizen=push_to_citizen,
    )
    session.commit()
    return message


def _add(
    session: Session,
    ticket: HandoffTicket,
    *,
    kind: str,
    text: str,
    buttons: list[dict[str, str]] | None = None,
    staff: StaffUser | None = None,
    push_to_citizen: bool = False,
    created_at: dt.datetime | None = None,
) -> HandoffMessage:
    message = HandoffMessage(
        ticket_id=ticket.id,
        conversation_id=ticket.conversation_id,
        kind=kind,
        text=mask_text(text),
        buttons=buttons or [],
        staff_id=staff.id if staff else None,
        staff_name=staff.display_name if staff else None,
        push_to_citizen=push_to_citizen,
        created_at=created_at or utcnow(),
    )
    session.add(message)
    session.flush()
    return message


def ticket_messages(*, session: Session, ticket_id: int, after_id: int = 0) -> list[HandoffMessage]:
    """The ticket's messages after `after_id`, oldest first (notes included: staff only)."""
    return list(
        session.scalars(
            select(HandoffMessage)
            .where(HandoffMessage.ticket_id == ticket_id, HandoffMessage.id > after_id)
            .order_by(HandoffMessage.id)
        )
    )


def citizen_outbox(
    *, session: Session, conversation_id: str, after_id: int
) -> list[HandoffMessage]:
    """Messages to push to the citizen of a conversation after `after_id`, oldest first."""
    return list(
        session.scalars(
            select(HandoffMessage)
            .where(
                HandoffMessage.conversation_id == conversation_id,
                HandoffMessage.push_to_citizen.is_(True),
                HandoffMessage.id > after_id,
            )
            .order_by(HandoffMessage.id)
        )
    )


def latest_message_id(*, session: Session) -> int:
    """The highest message id so far (0 when there is none): the start of a live stream."""
    return int(session.scalar(select(func.max(HandoffMessage.id))) or 0)


# ---- staff ----


def set_duty(*, session: Session, staff_id: int, until: dt.datetime | None) -> None:
    """Take conversations outside office hours until `until` (None: stop)."""
    _update(session, update(StaffUser).where(StaffUser.id == staff_id).values(on_duty_until=until))


def staff_available(*, session: Session, now: dt.datetime | None = None) -> int:
    """How many active staff members used the console in the last 15 minutes."""
    since = (now or utcnow()) - STAFF_SEEN_WINDOW
    return int(
        session.scalar(
            select(func.count(StaffUser.id)).where(
                StaffUser.active.is_(True), StaffUser.last_seen_at >= since
            )
        )
        or 0
    )


def someone_on_duty(*, session: Session, now: dt.datetime | None = None) -> bool:
    """True when a staff member has switched on extra duty (outside office hours) until later."""
    moment = now or utcnow()
    return (
        session.scalar(
            select(func.count(StaffUser.id)).where(
                StaffUser.active.is_(True), StaffUser.on_duty_until > moment
            )
        )
        or 0
    ) > 0


def handled_counts(*, session: Session, since: dt.datetime) -> dict[int, int]:
    """Tickets each staff member ended (closed or handed back) since `since`, by staff id."""
    rows = session.execute(
        select(HandoffTicket.ended_by_id, func.count(HandoffTicket.id))
        .where(
            HandoffTicket.status.in_((CLOSED, HANDED_BACK)),
            HandoffTicket.ended_at >= since,
            HandoffTicket.ended_by_id.is_not(None),
        )
        .group_by(HandoffTicket.ended_by_id)
    )
    return {int(staff_id or 0): int(count) for staff_id, count in rows}


def all_staff(*, session: Session) -> list[StaffUser]:
    """Every staff member, by username."""
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))


# ---- call-backs ----


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
    _update(
        session,
        update(CallbackRequest)
        .where(CallbackRequest.id == callback_id, CallbackRequest.status == "open")
        .values(status="done", done_at=now or utcnow(), done_by_id=staff.id),
    )
    session.refresh(callback)
    return callback


def open_counts(*, session: Session) -> dict[str, int]:
    """How many tickets wait and how many are being handled now."""
    rows = session.execute(
        select(HandoffTicket.status, func.count(HandoffTicket.id))
        .where(or_(HandoffTicket.status == WAITING, HandoffTicket.status == CLAIMED))
        .group_by(HandoffTicket.status)
    )
    counts = {WAITING: 0, CLAIMED: 0}
    counts.update({str(status): int(count) for status, count in rows})
    return counts
