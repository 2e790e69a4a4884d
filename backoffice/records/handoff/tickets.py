"""Tickets: open (or escalate) one per conversation, the queue, claim, close, hand back, cancel.

Every state change is a conditional UPDATE checked by its row count (`state_changes.py`), so two
staff members (or two processes) acting at once cannot both win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.db import utcnow
from backoffice.records.handoff.masking import mask_slots
from backoffice.records.handoff.message_store import add_message
from backoffice.records.handoff.models import (
    CANCELLED,
    CLAIMED,
    CLOSED,
    HANDED_BACK,
    OPEN_STATUSES,
    URGENT,
    WAITING,
    HandoffTicket,
)
from backoffice.records.handoff.state_changes import HandoffConflictError, apply_update
from backoffice.staff.models import StaffUser


@dataclass(frozen=True)
class TranscriptLine:
    """One line of the conversation before the handover."""

    kind: str
    text: str


def open_ticket_for(*, session: Session, conversation_id: str) -> HandoffTicket | None:
    """The waiting or claimed ticket of a conversation, if any."""
    return session.scalar(
        select(HandoffTicket).where(HandoffTicket.open_conversation_id == conversation_id)
    )


# Built once: the router asks it before every citizen message, and almost always the answer is
# "none" (a third of the ORM query's cost; the ticket itself is loaded only when there is one).
_TICKETS = HandoffTicket.__table__.c
_ROUTER_TICKET_ID = (
    select(_TICKETS.id)
    .where(
        _TICKETS.conversation_id == bindparam("conversation_id"),
        or_(
            _TICKETS.open_conversation_id == bindparam("conversation_id"),
            _TICKETS.status.not_in(OPEN_STATUSES) & _TICKETS.rasa_paused.is_(True),
        ),
    )
    # The open ticket first (false sorts before true), then the newest ended one.
    .order_by(_TICKETS.open_conversation_id.is_(None), _TICKETS.id.desc())
    .limit(1)
)


def ticket_for_router(*, session: Session, conversation_id: str) -> HandoffTicket | None:
    """What the router asks before each message: one prepared statement when no ticket applies.

    The open ticket of the conversation (a person owns it) if there is one; otherwise its
    newest ended ticket whose Rasa tracker is still paused (the resume failed earlier); else
    None. Tell the two apart by `open_conversation_id` (set only while the ticket is open).
    """
    ticket_id = session.scalar(_ROUTER_TICKET_ID, {"conversation_id": conversation_id})
    return None if ticket_id is None else session.get(HandoffTicket, ticket_id)


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
        add_message(
            session=session,
            ticket=ticket,
            kind=line.kind,
            text=line.text,
            created_at=ticket.created_at,
            commit=False,
        )
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
    result = apply_update(
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
    result = apply_update(
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
    apply_update(
        session,
        update(HandoffTicket).where(HandoffTicket.id == ticket_id).values(rasa_paused=paused),
    )


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
