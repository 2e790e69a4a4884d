"""The router's side: before Rasa sees a citizen's message, does a person own the conversation?

Crisis words open (or escalate) an urgent ticket at once; while a ticket is open the message is
kept with it and the bot stays silent; "不等了" cancels a waiting ticket; `/restart` ends one.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backoffice.records.handoff import message_store, tickets
from backoffice.records.handoff.case import add_citizen_words, case_summary
from backoffice.records.handoff.delivery import QUEUE_TOPIC, ticket_topic
from backoffice.records.handoff.desk.context import DeskContext
from backoffice.records.handoff.desk.encoding import bot_message
from backoffice.records.handoff.desk.off_hours import off_hours_text, off_hours_waiting
from backoffice.records.handoff.desk.queue_positions import QueuePositions
from backoffice.records.handoff.desk.rasa_hold import DEFAULT_RESUME_INTENT, RasaHold
from backoffice.records.handoff.desk_state import DeskHours
from backoffice.records.handoff.masking import mask_text
from backoffice.records.handoff.models import (
    CANCELLED,
    CITIZEN,
    CLOSED,
    NOTE,
    URGENT,
    WAITING,
    HandoffTicket,
)
from backoffice.records.handoff.policy import CrisisCategory
from backoffice.records.handoff.rasa_control import RasaControlError
from backoffice.records.handoff.snapshot import (
    references_in_events,
    summary_from_tracker,
    transcript_from_events,
)
from backoffice.records.handoff.state_changes import HandoffConflictError
from backoffice.records.handoff.texts import citizen_text
from backoffice.records.handoff.tickets import TranscriptLine
from backoffice.staff.models import StaffUser
from core.chat import BotMessage, HumanTurn, conversation_id

logger = logging.getLogger(__name__)

CANCEL_PAYLOAD = "/cancel_handoff"
RESTART_PAYLOAD = "/restart"


class CitizenGate:
    """What `connectors.router.HandoffGate` asks of the desk."""

    def __init__(self, context: DeskContext, hold: RasaHold, queue: QueuePositions) -> None:
        self._context = context
        self._hold = hold
        self._queue = queue

    def detect_crisis(self, text: str) -> CrisisCategory | None:
        """The crisis category whose words occur in the (normalised) citizen text, if any."""
        return self._context.policy.crisis.detect(text)

    async def open_crisis(
        self, *, channel: str, sender: str, text: str, category: CrisisCategory
    ) -> HumanTurn:
        """Emergency numbers at once, then an urgent ticket (opened, or an open one escalated).

        The numbers are given even when the ticket cannot be recorded (database down).
        """
        try:
            return await self._open_crisis(
                channel=channel, sender=sender, text=text, category=category
            )
        except SQLAlchemyError:
            logger.exception("crisis ticket could not be recorded; emergency numbers given")
            return HumanTurn(
                messages=[BotMessage(text=category.reply)],
                notices=[citizen_text("desk_unavailable")],
            )

    async def take_if_owned(self, *, channel: str, sender: str, text: str) -> HumanTurn | None:
        """If a person owns the conversation, keep `text` with the ticket and return the reply.

        Returns None when the bot owns it (the router then asks Rasa). `/restart` ends the
        handover and goes on to Rasa; "不等了" (or the button) cancels a waiting ticket. If the
        desk's database fails, the bot answers (better than no answer at all), but never once the
        message is stored with the ticket; a session the database ended is tried once more.
        """
        try:
            return await self._take_if_owned(channel=channel, sender=sender, text=text)
        except SQLAlchemyError:
            logger.exception("handoff desk unavailable: the bot answers %s-%s", channel, sender)
            return None

    async def after_bot_turn(self, *, channel: str, sender: str) -> None:
        """Pause Rasa when the bot's turn just opened a ticket (Rasa's lock is free now)."""
        cid = conversation_id(channel, sender)
        try:
            ticket = await self._context.run_db(
                lambda s: tickets.open_ticket_for(session=s, conversation_id=cid)
            )
        except SQLAlchemyError:
            logger.exception("handoff desk unavailable after the bot's turn on %s", cid)
            return
        if ticket is not None and not ticket.rasa_paused:
            await self._hold.pause(ticket)

    async def _open_crisis(
        self, *, channel: str, sender: str, text: str, category: CrisisCategory
    ) -> HumanTurn:
        context = self._context
        cid = conversation_id(channel, sender)
        tracker: dict[str, Any] = {}
        transcript: list[TranscriptLine] = []
        existing = await context.run_db(
            lambda s: tickets.open_ticket_for(session=s, conversation_id=cid)
        )
        if existing is None:
            try:
                tracker = await context.rasa.tracker(cid)
                transcript = transcript_from_events(tracker.get("events") or [])
            except RasaControlError:
                logger.warning("crisis on %s: no tracker from Rasa, ticket opened without it", cid)
        found = summary_from_tracker(tracker)
        summary: dict[str, Any] = {"crisis": category.code} | case_summary(
            channel=channel,
            transcript=transcript,
            slots=found["slots"],
            active_form=found["active_form"],
            service=None,
            latest=text,
            references=references_in_events(tracker.get("events") or []),
        )

        def work(session: Session) -> tuple[HandoffTicket, int | None, DeskHours]:
            ticket, _ = tickets.open_ticket(
                session=session,
                conversation_id=cid,
                channel=channel,
                sender=sender,
                reason="crisis",
                reason_detail=category.label,
                urgency=URGENT,
                service=summary["service_inferred"],
                summary=summary,
                transcript=transcript,
                now=context.clock(),
            )
            message_store.add_message(session=session, ticket=ticket, kind=CITIZEN, text=text)
            position = tickets.queue_position(session=session, ticket=ticket)
            return ticket, position, context.availability(session)

        ticket, position, availability = await context.run_db(work)
        await self._hold.pause(ticket)
        context.hub.notify(QUEUE_TOPIC, ticket_topic(ticket.id))
        # The emergency and 24-hour numbers first, in or out of office hours.
        messages = [BotMessage(text=category.reply)]
        if not availability.open:
            # Nobody is on duty: say truthfully what happens next, no place in a queue.
            messages.append(BotMessage(text=off_hours_text(availability)))
        else:
            urgent = citizen_text("urgent_queued", position=position) if position else ""
            if category.handover + urgent:
                messages.append(BotMessage(text=category.handover + urgent))
            await self._queue.tell_changes()
        return HumanTurn(messages=messages)

    async def _take_if_owned(self, *, channel: str, sender: str, text: str) -> HumanTurn | None:
        context = self._context
        cid = conversation_id(channel, sender)
        # One query per message: the open ticket, or an ended one that left Rasa paused.
        ticket = await context.read_before_message(
            lambda s: tickets.ticket_for_router(session=s, conversation_id=cid)
        )
        if ticket is None:
            return None
        if ticket.open_conversation_id is None:
            # Ended while Rasa could not be told: resume it now; the bot answers.
            await self._hold.resume(ticket)
            return None
        if text == RESTART_PAYLOAD:
            await self._end_by_citizen_restart(ticket)
            return None
        if ticket.status == WAITING and (text == CANCEL_PAYLOAD or context.policy.is_cancel(text)):
            return await self._cancel(ticket, text)
        if not ticket.rasa_paused:
            await self._hold.pause(ticket)
        if text.startswith("/"):
            # A button of an earlier bot message: nothing for the staff member to read.
            return await self._waiting_turn(ticket)

        def store(session: Session) -> None:
            message_store.add_message(session=session, ticket=ticket, kind=CITIZEN, text=text)

        def complete_case(session: Session) -> None:
            current = tickets.get_ticket(session=session, ticket_id=ticket.id)
            if current is not None and add_citizen_words(current, mask_text(text)):
                session.commit()

        await context.run_db(store, again_if_ended=True)
        context.hub.notify(ticket_topic(ticket.id), QUEUE_TOPIC)
        try:
            # Once stored, nothing may hand the message to the bot as well: the case summary
            # and the queue notice are read inside this guard.
            await context.run_db(complete_case, again_if_ended=True)
            if ticket.status != WAITING:
                return await self._delivered_turn(ticket)
            return await self._waiting_turn(ticket, text)
        except SQLAlchemyError:
            # The message is with the ticket: the bot must not answer it as well.
            logger.exception("handoff desk: no queue position for ticket %s", ticket.id)
            return HumanTurn()

    async def _delivered_turn(self, ticket: HandoffTicket) -> HumanTurn:
        """A person is answering: the bot stays silent; a quiet receipt says it reached them."""

        def work(session: Session) -> str | None:
            staff = session.get(StaffUser, ticket.claimed_by_id) if ticket.claimed_by_id else None
            if staff is None:
                return None
            return citizen_text("delivered_to_staff", staff_name=staff.display_name)

        return HumanTurn(receipt=await self._context.run_db(work, again_if_ended=True))

    async def _waiting_turn(self, ticket: HandoffTicket, text: str = "") -> HumanTurn:
        if ticket.status != WAITING:
            return HumanTurn()  # a person is answering: the bot stays silent
        context = self._context

        def work(session: Session) -> str | None:
            current = tickets.get_ticket(session=session, ticket_id=ticket.id)
            if current is None or current.status != WAITING:
                return None
            if not context.availability(session).open:
                # Nobody on duty until the next opening: no wait estimate that cannot come true.
                return off_hours_waiting(session, current, text)
            position = tickets.queue_position(session=session, ticket=current)
            if not position:
                return None
            minutes = context.wait_minutes(session, position)
            return citizen_text("still_waiting", position=position, minutes=minutes)

        notice = await context.run_db(work, again_if_ended=True)
        return HumanTurn(notices=[notice] if notice else [])

    async def _cancel(self, ticket: HandoffTicket, text: str) -> HumanTurn:
        context = self._context

        def work(session: Session) -> None:
            if not text.startswith("/"):
                message_store.add_message(session=session, ticket=ticket, kind=CITIZEN, text=text)
            tickets.end_ticket(
                session=session, ticket_id=ticket.id, staff=None, status=CANCELLED,
                now=context.clock(),
            )  # fmt: skip

        try:
            await context.run_db(work)
        except HandoffConflictError:
            return HumanTurn()  # claimed meanwhile: the staff member answers
        context.hub.notify(QUEUE_TOPIC, ticket_topic(ticket.id))
        await self._queue.tell_changes()
        messages = [BotMessage(text=citizen_text("cancelled"))]
        if await self._hold.resume(ticket):
            bot = await self._hold.trigger(ticket, DEFAULT_RESUME_INTENT)
            messages += [bot_message(raw) for raw in bot]
        return HumanTurn(messages=messages)

    async def _end_by_citizen_restart(self, ticket: HandoffTicket) -> None:
        context = self._context
        status = CANCELLED if ticket.status == WAITING else CLOSED

        def work(session: Session) -> None:
            current = tickets.get_ticket(session=session, ticket_id=ticket.id)
            if current is None:
                return
            message_store.add_message(
                session=session, ticket=current, kind=NOTE,
                text=citizen_text("staff_ended_by_restart"),
            )  # fmt: skip
            current.status = status
            current.open_conversation_id = None
            current.ended_at = context.clock()
            session.commit()

        await context.run_db(work)
        context.hub.notify(QUEUE_TOPIC, ticket_topic(ticket.id))
        await self._queue.tell_changes()
        await self._hold.resume(ticket)
