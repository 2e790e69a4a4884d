"""The staff side: claim a ticket, reply, note, close, hand back to the bot, extra duty.

Only the staff member who claimed a ticket (or a supervisor) acts on it; close and hand-back
hold the ticket's lock, so two of them never interleave.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from backoffice.records.handoff import message_store, staff_presence, tickets
from backoffice.records.handoff.delivery import QUEUE_TOPIC, OutboundMessage, ticket_topic
from backoffice.records.handoff.desk.context import DeskContext
from backoffice.records.handoff.desk.encoding import bot_message, outbound
from backoffice.records.handoff.desk.queue_positions import QueuePositions
from backoffice.records.handoff.desk.rasa_hold import DEFAULT_RESUME_INTENT, RasaHold
from backoffice.records.handoff.models import (
    BOT,
    CLAIMED,
    CLOSED,
    HANDED_BACK,
    NOTE,
    STAFF,
    STATUS,
    HandoffMessage,
    HandoffTicket,
)
from backoffice.records.handoff.rasa_control import RasaControlError
from backoffice.records.handoff.state_changes import HandoffConflictError
from backoffice.records.handoff.texts import citizen_text, error_text, resume_points
from backoffice.staff.models import SUPERVISOR, StaffUser
from core.errors import ApiError


class AssistantUnavailableForHandBackError(ApiError):
    """Rasa could not take the conversation back; the ticket stays with the staff member."""

    def __init__(self) -> None:
        code = "assistant_unavailable"
        super().__init__(503, code, error_text(code))


class StaffActions:
    """What a staff member does with a ticket from the console."""

    def __init__(self, context: DeskContext, hold: RasaHold, queue: QueuePositions) -> None:
        self._context = context
        self._hold = hold
        self._queue = queue

    async def claim(self, *, ticket_id: int, staff: StaffUser) -> HandoffTicket:
        """Take a waiting ticket; the citizen is told who joined.

        Raises:
            HandoffConflictError: Someone else was faster, or the ticket is gone.
        """
        context = self._context

        def work(session: Session) -> tuple[HandoffTicket, list[OutboundMessage]]:
            ticket = tickets.claim(
                session=session, ticket_id=ticket_id, staff=staff, now=context.clock()
            )
            joined = message_store.add_message(
                session=session,
                ticket=ticket,
                kind=STATUS,
                text=citizen_text("staff_joined", staff_name=staff.display_name),
                push_to_citizen=True,
            )
            return ticket, [outbound(joined)]

        ticket, messages = await context.run_db(work)
        await context.deliver(ticket, messages)
        context.hub.notify(QUEUE_TOPIC, ticket_topic(ticket.id))
        await self._queue.tell_changes()
        return ticket

    async def reply(self, *, ticket_id: int, staff: StaffUser, text: str) -> HandoffMessage:
        """Send a staff reply to the citizen (only the staff member who claimed the ticket).

        Raises:
            HandoffConflictError: Not claimed, or claimed by someone else.
        """

        def work(session: Session) -> tuple[HandoffTicket, HandoffMessage]:
            ticket = _own_ticket(session, ticket_id, staff)
            message = message_store.add_message(
                session=session, ticket=ticket, kind=STAFF, text=text, staff=staff,
                push_to_citizen=True,
            )  # fmt: skip
            return ticket, message

        ticket, message = await self._context.run_db(work)
        await self._context.deliver(ticket, [outbound(message)])
        self._context.hub.notify(ticket_topic(ticket.id))
        return message

    async def note(self, *, ticket_id: int, staff: StaffUser, text: str) -> HandoffMessage:
        """Add a private note (never shown to the citizen).

        Raises:
            HandoffConflictError: The ticket does not exist.
        """

        def work(session: Session) -> HandoffMessage:
            ticket = tickets.get_ticket(session=session, ticket_id=ticket_id)
            if ticket is None:
                raise HandoffConflictError("ticket_not_found")
            return message_store.add_message(
                session=session, ticket=ticket, kind=NOTE, text=text, staff=staff
            )

        message = await self._context.run_db(work)
        self._context.hub.notify(ticket_topic(ticket_id))
        return message

    async def close(self, *, ticket_id: int, staff: StaffUser) -> HandoffTicket:
        """End the handover without the bot taking over the talk (Rasa resumes silently).

        Raises:
            HandoffConflictError: Not the claiming staff member, or not open.
        """
        context = self._context

        def work(session: Session) -> tuple[HandoffTicket, list[OutboundMessage]]:
            ticket = tickets.end_ticket(
                session=session, ticket_id=ticket_id, staff=staff, status=CLOSED,
                now=context.clock(),
            )  # fmt: skip
            closed = message_store.add_message(
                session=session, ticket=ticket, kind=STATUS, text=citizen_text("closed"),
                push_to_citizen=True,
            )  # fmt: skip
            return ticket, [outbound(closed)]

        async with context.lock(ticket_id):
            ticket, messages = await context.run_db(work)
        await self._hold.resume(ticket)  # if Rasa is down, the router resumes on the next message
        await context.deliver(ticket, messages)
        context.hub.notify(QUEUE_TOPIC, ticket_topic(ticket_id))
        await self._queue.tell_changes()
        return ticket

    async def hand_back(
        self, *, ticket_id: int, staff: StaffUser, resume_intent: str | None
    ) -> HandoffTicket:
        """Give the conversation back to the bot, which greets the citizen and resumes.

        Raises:
            HandoffConflictError: Not the claiming staff member, not claimed, or a resume point
                that is not offered ("resume_not_allowed").
            AssistantUnavailableForHandBackError: Rasa cannot take it back now.
        """
        context = self._context
        intent = resume_intent or DEFAULT_RESUME_INTENT
        if intent not in {point["intent"] for point in resume_points()}:
            raise HandoffConflictError("resume_not_allowed")
        async with context.lock(ticket_id):
            ticket = await context.run_db(lambda s: _own_ticket(s, ticket_id, staff))
            # Rasa first: if it cannot take over, the staff member keeps the conversation.
            try:
                await context.rasa.resume(ticket.conversation_id)
                bot = await context.rasa.trigger_intent(ticket.conversation_id, intent)
            except RasaControlError as error:
                raise AssistantUnavailableForHandBackError from error

            def work(session: Session) -> tuple[HandoffTicket, list[OutboundMessage]]:
                ended = tickets.end_ticket(
                    session=session, ticket_id=ticket_id, staff=staff, status=HANDED_BACK,
                    resume_intent=intent, now=context.clock(),
                )  # fmt: skip
                tickets.set_rasa_paused(session=session, ticket_id=ticket_id, paused=False)
                stored = [
                    message_store.add_message(
                        session=session, ticket=ended, kind=STATUS,
                        text=citizen_text("handed_back"), push_to_citizen=True,
                    )
                ]  # fmt: skip
                for raw in bot:
                    message = bot_message(raw)
                    stored.append(
                        message_store.add_message(
                            session=session, ticket=ended, kind=BOT, text=message.text or "",
                            buttons=[b.model_dump() for b in message.buttons],
                            push_to_citizen=True,
                        )
                    )  # fmt: skip
                return ended, [outbound(m) for m in stored]

            ended, messages = await context.run_db(work)
        await context.deliver(ended, messages)
        context.hub.notify(QUEUE_TOPIC, ticket_topic(ticket_id))
        return ended

    async def set_duty(self, *, staff: StaffUser, on: bool) -> dt.datetime | None:
        """Take conversations outside office hours for the configured hours (or stop)."""
        context = self._context
        until = (
            context.clock() + dt.timedelta(hours=context.policy.extra_duty_hours) if on else None
        )
        await context.run_db(
            lambda s: staff_presence.set_duty(session=s, staff_id=staff.id, until=until)
        )
        context.hub.notify(QUEUE_TOPIC)
        return until


def _own_ticket(session: Session, ticket_id: int, staff: StaffUser) -> HandoffTicket:
    ticket = tickets.get_ticket(session=session, ticket_id=ticket_id)
    if ticket is None:
        raise HandoffConflictError("ticket_not_found")
    if ticket.status != CLAIMED:
        raise HandoffConflictError("not_claimed")
    if ticket.claimed_by_id != staff.id and staff.role != SUPERVISOR:
        raise HandoffConflictError("not_yours")
    return ticket
