"""Messages stored with a ticket (ID numbers masked): transcript, notes, the citizen's outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.db import utcnow
from backoffice.records.handoff.masking import mask_text
from backoffice.records.handoff.models import HandoffMessage, HandoffTicket
from backoffice.staff.models import StaffUser


def add_message(
    *,
    session: Session,
    ticket: HandoffTicket,
    kind: str,
    text: str,
    buttons: list[dict[str, str]] | None = None,
    staff: StaffUser | None = None,
    push_to_citizen: bool = False,
    created_at: dt.datetime | None = None,
    commit: bool = True,
) -> HandoffMessage:
    """Store one message with the ticket (ID numbers masked).

    Committed, unless `commit` is False: then it is flushed into the caller's transaction (the
    transcript stored with a new ticket is committed with the ticket).
    """
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
    if commit:
        session.commit()
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
