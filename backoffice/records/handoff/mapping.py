"""Records and desk values → the API's schemas (used by the routes and the queue stream)."""

from __future__ import annotations

from collections.abc import Iterable

from backoffice.records.handoff.desk_state import (
    CallbackRecorded,
    DeskHours,
    HandoffOutcome,
    QueueEntry,
    QueueState,
)
from backoffice.records.handoff.models import (
    CLAIMED,
    NORMAL,
    WAITING,
    CallbackRequest,
    HandoffMessage,
    HandoffTicket,
)
from backoffice.records.handoff.schemas import (
    Availability,
    CallbackOut,
    CallbackReceipt,
    MessageOut,
    Overview,
    QueueItem,
    QueueSnapshot,
    StaffLoad,
    StaffOut,
    TicketOutcome,
    TicketView,
)
from backoffice.records.handoff.texts import resume_points
from backoffice.staff.models import StaffUser
from zhtext.idcard import mask_phone


def availability_out(hours: DeskHours) -> Availability:
    """Whether staff take conversations now, and when they do next."""
    return Availability.model_validate(hours, from_attributes=True)


def ticket_outcome_out(outcome: HandoffOutcome) -> TicketOutcome:
    """What the assistant tells the citizen after asking for a person."""
    return TicketOutcome.model_validate(outcome, from_attributes=True)


def callback_receipt_out(recorded: CallbackRecorded) -> CallbackReceipt:
    """What the assistant tells the citizen after a call-back request (the phone masked)."""
    return CallbackReceipt(
        id=recorded.id,
        phone_masked=mask_phone(recorded.phone),
        preferred_time=recorded.preferred_time,
        hours=recorded.hours.hours,
        next_opening_text=recorded.hours.next_opening_text,
    )


def callback_out(callback: CallbackRequest) -> CallbackOut:
    """A call-back request as staff see it."""
    return CallbackOut.model_validate(callback)


def staff_out(staff: StaffUser) -> StaffOut:
    """A staff member (the logged-in one)."""
    return StaffOut(
        id=staff.id,
        username=staff.username,
        display_name=staff.display_name,
        role=staff.role,
        on_duty_until=staff.on_duty_until,
    )


def message_out(message: HandoffMessage) -> MessageOut:
    """One message of a ticket's transcript (staff view)."""
    return MessageOut.model_validate(message)


def queue_item_out(entry: QueueEntry) -> QueueItem:
    """One open ticket in the staff queue."""
    ticket = entry.ticket
    return QueueItem(
        id=ticket.id,
        conversation_id=ticket.conversation_id,
        channel=ticket.channel,
        service=ticket.service,
        reason=ticket.reason,
        reason_detail=ticket.reason_detail,
        urgency=ticket.urgency or NORMAL,
        status=ticket.status,
        position=entry.position,
        waiting_seconds=entry.waiting_seconds,
        created_at=ticket.created_at,
        claimed_by=entry.claimed_by,
        claimed_by_id=ticket.claimed_by_id,
    )


def queue_snapshot_out(state: QueueState) -> QueueSnapshot:
    """The open tickets and the desk state."""
    return QueueSnapshot(
        tickets=[queue_item_out(entry) for entry in state.entries],
        open=state.open,
        staff_available=state.staff_available,
    )


def ticket_view_out(
    entry: QueueEntry, ticket: HandoffTicket, messages: Iterable[HandoffMessage]
) -> TicketView:
    """A ticket with its case summary, its transcript and where the bot may resume."""
    return TicketView(
        ticket=queue_item_out(entry),
        summary=ticket.summary or {},
        messages=[message_out(m) for m in messages],
        resume_points=resume_points(),
    )


def overview_out(
    state: QueueState,
    *,
    staff: Iterable[StaffUser],
    handled_today: dict[int, int],
    open_callbacks: int,
) -> Overview:
    """Supervisor view: every open ticket, waiting times, each staff member's work."""
    queue = queue_snapshot_out(state)
    handling: dict[int, int] = {}
    for item in queue.tickets:
        if item.status == CLAIMED and item.claimed_by_id is not None:
            handling[item.claimed_by_id] = handling.get(item.claimed_by_id, 0) + 1
    waiting = [item for item in queue.tickets if item.status == WAITING]
    return Overview(
        queue=queue,
        staff=[
            StaffLoad(
                id=member.id,
                username=member.username,
                display_name=member.display_name,
                role=member.role,
                handled_today=handled_today.get(member.id, 0),
                handling_now=handling.get(member.id, 0),
                last_seen_at=member.last_seen_at,
                on_duty_until=member.on_duty_until,
            )
            for member in staff
        ],
        waiting=len(waiting),
        claimed=len(queue.tickets) - len(waiting),
        longest_wait_seconds=max((item.waiting_seconds for item in waiting), default=0),
        open_callbacks=open_callbacks,
    )
