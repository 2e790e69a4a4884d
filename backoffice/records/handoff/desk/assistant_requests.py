"""The assistant's side: the action server asks for a person, or records a call-back request."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backoffice.records.handoff import callback_requests, tickets
from backoffice.records.handoff.case import case_summary
from backoffice.records.handoff.delivery import QUEUE_TOPIC
from backoffice.records.handoff.desk.context import DeskContext
from backoffice.records.handoff.desk.queue_positions import QueuePositions
from backoffice.records.handoff.desk_state import CallbackRecorded, HandoffOutcome
from backoffice.records.handoff.models import URGENT
from backoffice.records.handoff.schemas import CallbackIn, TicketRequest
from backoffice.records.handoff.texts import error_text
from backoffice.records.handoff.tickets import TranscriptLine
from core.chat import split_conversation_id
from core.errors import ApiError
from zhtext.dates import parse_date
from zhtext.phone import parse_phone


async def request_handoff(
    request: TicketRequest, *, context: DeskContext, queue: QueuePositions
) -> HandoffOutcome:
    """Open a ticket for the conversation, or say that staff are off duty now."""
    channel, sender = split_conversation_id(request.conversation_id)

    def work(session: Session) -> HandoffOutcome:
        availability = context.availability(session)
        existing = tickets.open_ticket_for(session=session, conversation_id=request.conversation_id)
        if existing is None and not availability.open and request.urgency != URGENT:
            return HandoffOutcome(
                outcome="outside_hours",
                hours=availability.hours,
                next_opening=availability.next_opening,
                next_opening_text=availability.next_opening_text,
            )
        transcript = [TranscriptLine(line.kind, line.text) for line in request.transcript]
        summary = case_summary(
            channel=channel,
            transcript=transcript,
            slots=request.slots,
            active_form=request.active_form,
            service=request.service,
            references=request.references,
        )
        ticket, created = tickets.open_ticket(
            session=session,
            conversation_id=request.conversation_id,
            channel=channel,
            sender=sender,
            reason=request.reason,
            reason_detail=request.reason_detail,
            service=request.service or summary["service_inferred"],
            urgency=request.urgency,
            summary=summary,
            transcript=transcript,
            now=context.clock(),
        )
        position = tickets.queue_position(session=session, ticket=ticket)
        ticket.told_position = position
        session.commit()
        return HandoffOutcome(
            outcome="queued" if created else "already_queued",
            ticket_id=ticket.id,
            position=position,
            wait_minutes=context.wait_minutes(session, position) if position else None,
            hours=availability.hours,
        )

    outcome = await context.run_db(work)
    if outcome.ticket_id is not None:
        context.hub.notify(QUEUE_TOPIC)
        await queue.tell_changes()
    return outcome


async def record_callback(request: CallbackIn, *, context: DeskContext) -> CallbackRecorded:
    """Store a call-back request (`POST /api/handoff/bot/callbacks`); the queue is told.

    Raises:
        ApiError: 422 `bad_phone`.
    """
    phone = parse_phone(request.phone)
    if phone.number is None:
        raise ApiError(422, "bad_phone", error_text("bad_phone"))
    number = phone.number
    hours = await context.run_db(context.availability)
    today = context.policy.hours.local(context.clock()).date()
    parsed = parse_date(request.preferred_time, today=today)
    channel, _ = split_conversation_id(request.conversation_id)

    def work(session: Session) -> int:
        callback = callback_requests.create_callback(
            session=session,
            conversation_id=request.conversation_id,
            channel=channel,
            phone=number,
            preferred_time=request.preferred_time,
            preferred_date=parsed.date if parsed else None,
            preferred_half_day=parsed.half_day if parsed else None,
            service=request.service,
            reason=request.reason,
        )
        return callback.id

    callback_id = await context.run_db(work)
    context.hub.notify(QUEUE_TOPIC)
    return CallbackRecorded(
        id=callback_id, phone=number, preferred_time=request.preferred_time, hours=hours
    )
