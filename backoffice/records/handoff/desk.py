"""The handoff desk: who owns a conversation, and everything that changes it.

One desk per web process (built at start-up, `app.state.handoff_desk`). The gateway's router asks
it before Rasa (crisis words, open ticket); the staff API acts through it. State lives in the
database; Rasa is paused/resumed through its API; citizens get desk messages through the
channel's `ChatDelivery`; live pages are woken through the `EventHub`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from backoffice.records.handoff import service
from backoffice.records.handoff.delivery import (
    QUEUE_TOPIC,
    DeliveryRegistry,
    OutboundMessage,
    conversation_topic,
    ticket_topic,
)
from backoffice.records.handoff.events import EventHub
from backoffice.records.handoff.models import (
    BOT,
    CANCELLED,
    CITIZEN,
    CLAIMED,
    CLOSED,
    HANDED_BACK,
    NORMAL,
    NOTE,
    STAFF,
    STATUS,
    URGENT,
    WAITING,
    HandoffMessage,
    HandoffTicket,
    StaffUser,
    utcnow,
)
from backoffice.records.handoff.policy import CrisisCategory, HandoffPolicy
from backoffice.records.handoff.rasa_control import RasaControl, RasaControlError
from backoffice.records.handoff.schemas import (
    Availability,
    QueueItem,
    QueueSnapshot,
    TicketOutcome,
    TicketRequest,
)
from backoffice.records.handoff.service import HandoffConflictError, TranscriptLine
from backoffice.records.handoff.snapshot import summary_from_tracker, transcript_from_events
from backoffice.records.handoff.texts import citizen_text, resume_points
from core.chat import BotMessage, Button, HumanTurn, conversation_id

logger = logging.getLogger(__name__)

T = TypeVar("T")
CANCEL_PAYLOAD = "/cancel_handoff"
RESTART_PAYLOAD = "/restart"
DEFAULT_RESUME_INTENT = "continue_conversation"
STREAM_POLL_SECONDS = 5.0
KEEPALIVE_EVERY = 3  # polls without news before a keep-alive comment
STREAM_MAX_SECONDS = 300.0  # then the browser reconnects (with Last-Event-ID): bounded shutdowns


class AssistantUnavailableForHandBackError(Exception):
    """Rasa could not take the conversation back; the ticket stays with the staff member."""


def split_conversation_id(value: str) -> tuple[str, str]:
    """`("web", "abc…")` from "web-abc…" (the inverse of connectors.router.conversation_id)."""
    channel, _, sender = value.partition("-")
    return channel, sender


class HandoffDesk:
    """Ownership of conversations and the staff actions on tickets.

    Args:
        session_factory: Opens database sessions.
        policy: Office hours, queue figures, crisis words.
        rasa: Rasa's conversation API.
        deliveries: How each channel's citizens receive desk messages.
        hub: Wakes live streams (in this process, or in every process through Redis).
        clock: Current time as naive UTC (tests pass a fixed clock).
    """

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        policy: HandoffPolicy,
        rasa: RasaControl,
        deliveries: DeliveryRegistry,
        hub: EventHub,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.policy = policy
        self.rasa = rasa
        self.deliveries = deliveries
        self.hub = hub
        self.clock = clock
        self._ticket_locks: dict[int, asyncio.Lock] = {}

    async def aclose(self) -> None:
        """Release the Rasa connections and the hub's."""
        await self.rasa.aclose()
        await self.hub.aclose()

    async def run_db(self, work: Callable[[Session], T], *, again_if_ended: bool = False) -> T:
        """Run `work` with a fresh database session in a worker thread.

        `again_if_ended` (only for a `work` that is one transaction, committed at its end): when
        the database ends the session while `work` runs (a restart, a failover, an operator
        ending sessions), run it once more in a new session. Nothing of the broken transaction
        was committed, and the pool's pre-ping hands out a live connection. Without this, a
        waiting citizen's message was answered by the bot and never reached staff.
        """

        def run() -> T:
            if again_if_ended:
                try:
                    with self.session_factory() as session:
                        return work(session)
                except DBAPIError as error:
                    if not error.connection_invalidated:
                        raise
                    logger.warning("handoff desk: the database ended the session; once more")
            with self.session_factory() as session:
                return work(session)

        return await run_in_threadpool(run)

    # ---- availability ----

    def _availability(self, session: Session) -> Availability:
        now = self.clock()
        is_open = self.policy.hours.is_open(now) or service.someone_on_duty(
            session=session, now=now
        )
        opening = None if is_open else self.policy.hours.next_opening(now)
        return Availability(
            open=is_open,
            hours=self.policy.hours.description,
            next_opening=opening,
            next_opening_text=_opening_text(opening),
        )

    async def availability(self) -> Availability:
        """Whether staff take conversations now, and when they do next."""
        return await self.run_db(self._availability)

    def _wait_minutes(self, session: Session, position: int) -> int:
        staff = service.staff_available(session=session, now=self.clock())
        return self.policy.estimated_wait_minutes(position=position, staff_available=staff)

    # ---- the router's side ----

    def detect_crisis(self, text: str) -> CrisisCategory | None:
        """The crisis category whose words occur in the (normalised) citizen text, if any."""
        return self.policy.crisis.detect(text)

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

    async def _open_crisis(
        self, *, channel: str, sender: str, text: str, category: CrisisCategory
    ) -> HumanTurn:
        cid = conversation_id(channel, sender)
        summary: dict[str, Any] = {"crisis": category.code}
        transcript: list[TranscriptLine] = []
        existing = await self.run_db(
            lambda s: service.open_ticket_for(session=s, conversation_id=cid)
        )
        if existing is None:
            try:
                tracker = await self.rasa.tracker(cid)
                summary |= summary_from_tracker(tracker)
                transcript = transcript_from_events(tracker.get("events") or [])
            except RasaControlError:
                logger.warning("crisis on %s: no tracker from Rasa, ticket opened without it", cid)

        def work(session: Session) -> tuple[HandoffTicket, int | None, bool]:
            ticket, _ = service.open_ticket(
                session=session,
                conversation_id=cid,
                channel=channel,
                sender=sender,
                reason="crisis",
                reason_detail=category.label,
                urgency=URGENT,
                summary=summary,
                transcript=transcript,
                now=self.clock(),
            )
            service.add_message(session=session, ticket=ticket, kind=CITIZEN, text=text)
            position = service.queue_position(session=session, ticket=ticket)
            return ticket, position, self._availability(session).open

        ticket, position, is_open = await self.run_db(work)
        await self._pause(ticket)
        self.hub.notify(QUEUE_TOPIC, ticket_topic(ticket.id))
        messages = [BotMessage(text=category.reply)]
        if not is_open:
            messages.append(BotMessage(text=citizen_text("urgent_off_hours")))
        elif position is not None:
            messages.append(BotMessage(text=citizen_text("urgent_queued", position=position)))
            await self._tell_positions()
        return HumanTurn(messages=messages)

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

    async def _take_if_owned(self, *, channel: str, sender: str, text: str) -> HumanTurn | None:
        cid = conversation_id(channel, sender)
        ticket = await self.run_db(
            lambda s: service.open_ticket_for(session=s, conversation_id=cid), again_if_ended=True
        )
        if ticket is None:
            await self._resume_if_left_paused(cid)
            return None
        if text == RESTART_PAYLOAD:
            await self._end_by_citizen_restart(ticket)
            return None
        if ticket.status == WAITING and (text == CANCEL_PAYLOAD or self.policy.is_cancel(text)):
            return await self._cancel(ticket, text)
        if not ticket.rasa_paused:
            await self._pause(ticket)
        if text.startswith("/"):
            # A button of an earlier bot message: nothing for the staff member to read.
            return await self._waiting_turn(ticket)
        await self.run_db(
            lambda s: service.add_message(session=s, ticket=ticket, kind=CITIZEN, text=text),
            again_if_ended=True,
        )
        self.hub.notify(ticket_topic(ticket.id), QUEUE_TOPIC)
        try:
            return await self._waiting_turn(ticket)
        except SQLAlchemyError:
            # The message is with the ticket: the bot must not answer it as well.
            logger.exception("handoff desk: no queue position for ticket %s", ticket.id)
            return HumanTurn()

    async def after_bot_turn(self, *, channel: str, sender: str) -> None:
        """Pause Rasa when the bot's turn just opened a ticket (Rasa's lock is free now)."""
        cid = conversation_id(channel, sender)
        try:
            ticket = await self.run_db(
                lambda s: service.open_ticket_for(session=s, conversation_id=cid)
            )
        except SQLAlchemyError:
            logger.exception("handoff desk unavailable after the bot's turn on %s", cid)
            return
        if ticket is not None and not ticket.rasa_paused:
            await self._pause(ticket)

    async def _waiting_turn(self, ticket: HandoffTicket) -> HumanTurn:
        if ticket.status != WAITING:
            return HumanTurn()  # a person is answering: the bot stays silent

        def work(session: Session) -> str | None:
            current = service.get_ticket(session=session, ticket_id=ticket.id)
            position = current and service.queue_position(session=session, ticket=current)
            if not position:
                return None
            minutes = self._wait_minutes(session, position)
            return citizen_text("still_waiting", position=position, minutes=minutes)

        notice = await self.run_db(work, again_if_ended=True)
        return HumanTurn(notices=[notice] if notice else [])

    async def _pause(self, ticket: HandoffTicket) -> None:
        try:
            await self.rasa.pause(ticket.conversation_id)
        except RasaControlError as error:
            logger.warning("could not pause Rasa for ticket %s: %s", ticket.id, error)
            return
        await self.run_db(
            lambda s: service.set_rasa_paused(session=s, ticket_id=ticket.id, paused=True),
            again_if_ended=True,
        )
        ticket.rasa_paused = True

    async def _resume(self, ticket: HandoffTicket) -> bool:
        try:
            await self.rasa.resume(ticket.conversation_id)
        except RasaControlError as error:
            logger.warning("could not resume Rasa for ticket %s: %s", ticket.id, error)
            return False
        await self.run_db(
            lambda s: service.set_rasa_paused(session=s, ticket_id=ticket.id, paused=False)
        )
        return True

    async def _resume_if_left_paused(self, cid: str) -> None:
        stale = await self.run_db(
            lambda s: service.ticket_needing_resume(session=s, conversation_id=cid)
        )
        if stale is not None:
            await self._resume(stale)

    async def _cancel(self, ticket: HandoffTicket, text: str) -> HumanTurn:
        def work(session: Session) -> None:
            if not text.startswith("/"):
                service.add_message(session=session, ticket=ticket, kind=CITIZEN, text=text)
            service.end_ticket(
                session=session, ticket_id=ticket.id, staff=None, status=CANCELLED,
                now=self.clock(),
            )  # fmt: skip

        try:
            await self.run_db(work)
        except HandoffConflictError:
            return HumanTurn()  # claimed meanwhile: the staff member answers
        self.hub.notify(QUEUE_TOPIC, ticket_topic(ticket.id))
        await self._tell_positions()
        messages = [BotMessage(text=citizen_text("cancelled"))]
        if await self._resume(ticket):
            bot = await self._trigger(ticket, DEFAULT_RESUME_INTENT)
            messages += [_bot_message(raw) for raw in bot]
        return HumanTurn(messages=messages)

    async def _end_by_citizen_restart(self, ticket: HandoffTicket) -> None:
        status = CANCELLED if ticket.status == WAITING else CLOSED

        def work(session: Session) -> None:
            current = service.get_ticket(session=session, ticket_id=ticket.id)
            if current is None:
                return
            service.add_message(
                session=session, ticket=current, kind=NOTE,
                text=citizen_text("staff_ended_by_restart"),
            )  # fmt: skip
            current.status = status
            current.open_conversation_id = None
            current.ended_at = self.clock()
            session.commit()

        await self.run_db(work)
        self.hub.notify(QUEUE_TOPIC, ticket_topic(ticket.id))
        await self._tell_positions()
        await self._resume(ticket)

    async def _trigger(self, ticket: HandoffTicket, intent: str) -> list[dict[str, Any]]:
        try:
            return await self.rasa.trigger_intent(ticket.conversation_id, intent)
        except RasaControlError as error:
            logger.warning("could not trigger %s for ticket %s: %s", intent, ticket.id, error)
            return []

    # ---- the assistant's side (action server) ----

    async def request_handoff(self, request: TicketRequest) -> TicketOutcome:
        """Open a ticket for the conversation, or say that staff are off duty now."""
        channel, sender = split_conversation_id(request.conversation_id)

        def work(session: Session) -> TicketOutcome:
            availability = self._availability(session)
            existing = service.open_ticket_for(
                session=session, conversation_id=request.conversation_id
            )
            if existing is None and not availability.open and request.urgency != URGENT:
                return TicketOutcome(
                    outcome="outside_hours",
                    hours=availability.hours,
                    next_opening=availability.next_opening,
                    next_opening_text=availability.next_opening_text,
                )
            ticket, created = service.open_ticket(
                session=session,
                conversation_id=request.conversation_id,
                channel=channel,
                sender=sender,
                reason=request.reason,
                reason_detail=request.reason_detail,
                service=request.service,
                urgency=request.urgency,
                summary={"slots": request.slots, "active_form": request.active_form},
                transcript=[TranscriptLine(line.kind, line.text) for line in request.transcript],
                now=self.clock(),
            )
            position = service.queue_position(session=session, ticket=ticket)
            ticket.told_position = position
            session.commit()
            return TicketOutcome(
                outcome="queued" if created else "already_queued",
                ticket_id=ticket.id,
                position=position,
                wait_minutes=self._wait_minutes(session, position) if position else None,
                hours=availability.hours,
            )

        outcome = await self.run_db(work)
        if outcome.ticket_id is not None:
            self.hub.notify(QUEUE_TOPIC)
            await self._tell_positions()
        return outcome

    # ---- the staff side ----

    async def claim(self, *, ticket_id: int, staff: StaffUser) -> HandoffTicket:
        """Take a waiting ticket; the citizen is told who joined.

        Raises:
            HandoffConflictError: Someone else was faster, or the ticket is gone.
        """

        def work(session: Session) -> tuple[HandoffTicket, list[OutboundMessage]]:
            ticket = service.claim(
                session=session, ticket_id=ticket_id, staff=staff, now=self.clock()
            )
            joined = service.add_message(
                session=session,
                ticket=ticket,
                kind=STATUS,
                text=citizen_text("staff_joined", staff_name=staff.display_name),
                push_to_citizen=True,
            )
            return ticket, [_outbound(joined)]

        ticket, messages = await self.run_db(work)
        await self._deliver(ticket, messages)
        self.hub.notify(QUEUE_TOPIC, ticket_topic(ticket.id))
        await self._tell_positions()
        return ticket

    async def reply(self, *, ticket_id: int, staff: StaffUser, text: str) -> HandoffMessage:
        """Send a staff reply to the citizen (only the staff member who claimed the ticket).

        Raises:
            HandoffConflictError: Not claimed, or claimed by someone else.
        """

        def work(session: Session) -> tuple[HandoffTicket, HandoffMessage]:
            ticket = self._own_ticket(session, ticket_id, staff)
            message = service.add_message(
                session=session, ticket=ticket, kind=STAFF, text=text, staff=staff,
                push_to_citizen=True,
            )  # fmt: skip
            return ticket, message

        ticket, message = await self.run_db(work)
        await self._deliver(ticket, [_outbound(message)])
        self.hub.notify(ticket_topic(ticket.id))
        return message

    async def note(self, *, ticket_id: int, staff: StaffUser, text: str) -> HandoffMessage:
        """Add a private note (never shown to the citizen).

        Raises:
            HandoffConflictError: The ticket does not exist.
        """

        def work(session: Session) -> HandoffMessage:
            ticket = service.get_ticket(session=session, ticket_id=ticket_id)
            if ticket is None:
                raise HandoffConflictError("ticket_not_found")
            return service.add_message(
                session=session, ticket=ticket, kind=NOTE, text=text, staff=staff
            )

        message = await self.run_db(work)
        self.hub.notify(ticket_topic(ticket_id))
        return message

    async def close(self, *, ticket_id: int, staff: StaffUser) -> HandoffTicket:
        """End the handover without the bot taking over the talk (Rasa resumes silently).

        Raises:
            HandoffConflictError: Not the claiming staff member, or not open.
        """

        def work(session: Session) -> tuple[HandoffTicket, list[OutboundMessage]]:
            ticket = service.end_ticket(
                session=session, ticket_id=ticket_id, staff=staff, status=CLOSED,
                now=self.clock(),
            )  # fmt: skip
            closed = service.add_message(
                session=session, ticket=ticket, kind=STATUS, text=citizen_text("closed"),
                push_to_citizen=True,
            )  # fmt: skip
            return ticket, [_outbound(closed)]

        async with self._lock(ticket_id):
            ticket, messages = await self.run_db(work)
        await self._resume(ticket)  # if Rasa is down, the router resumes on the next message
        await self._deliver(ticket, messages)
        self.hub.notify(QUEUE_TOPIC, ticket_topic(ticket_id))
        await self._tell_positions()
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
        intent = resume_intent or DEFAULT_RESUME_INTENT
        if intent not in {point["intent"] for point in resume_points()}:
            raise HandoffConflictError("resume_not_allowed")
        async with self._lock(ticket_id):
            ticket = await self.run_db(lambda s: self._own_ticket(s, ticket_id, staff))
            # Rasa first: if it cannot take over, the staff member keeps the conversation.
            try:
                await self.rasa.resume(ticket.conversation_id)
                bot = await self.rasa.trigger_intent(ticket.conversation_id, intent)
            except RasaControlError as error:
                raise AssistantUnavailableForHandBackError(str(error)) from error

            def work(session: Session) -> tuple[HandoffTicket, list[OutboundMessage]]:
                ended = service.end_ticket(
                    session=session, ticket_id=ticket_id, staff=staff, status=HANDED_BACK,
                    resume_intent=intent, now=self.clock(),
                )  # fmt: skip
                service.set_rasa_paused(session=session, ticket_id=ticket_id, paused=False)
                stored = [
                    service.add_message(
                        session=session, ticket=ended, kind=STATUS,
                        text=citizen_text("handed_back"), push_to_citizen=True,
                    )
                ]  # fmt: skip
                for raw in bot:
                    message = _bot_message(raw)
                    stored.append(
                        service.add_message(
                            session=session, ticket=ended, kind=BOT, text=message.text or "",
                            buttons=[b.model_dump() for b in message.buttons],
                            push_to_citizen=True,
                        )
                    )  # fmt: skip
                return ended, [_outbound(m) for m in stored]

            ended, messages = await self.run_db(work)
        await self._deliver(ended, messages)
        self.hub.notify(QUEUE_TOPIC, ticket_topic(ticket_id))
        return ended

    async def set_duty(self, *, staff: StaffUser, on: bool) -> dt.datetime | None:
        """Take conversations outside office hours for the configured hours (or stop)."""
        until = self.clock() + dt.timedelta(hours=self.policy.extra_duty_hours) if on else None
        await self.run_db(lambda s: service.set_duty(session=s, staff_id=staff.id, until=until))
        self.hub.notify(QUEUE_TOPIC)
        return until

    def _own_ticket(self, session: Session, ticket_id: int, staff: StaffUser) -> HandoffTicket:
        ticket = service.get_ticket(session=session, ticket_id=ticket_id)
        if ticket is None:
            raise HandoffConflictError("ticket_not_found")
        if ticket.status != CLAIMED:
            raise HandoffConflictError("not_claimed")
        if ticket.claimed_by_id != staff.id and staff.role != "supervisor":
            raise HandoffConflictError("not_yours")
        return ticket

    def _lock(self, ticket_id: int) -> asyncio.Lock:
        return self._ticket_locks.setdefault(ticket_id, asyncio.Lock())

    async def _deliver(self, ticket: HandoffTicket, messages: list[OutboundMessage]) -> None:
        await self.deliveries.deliver(
            channel=ticket.channel,
            conversation_id=ticket.conversation_id,
            sender=ticket.sender,
            messages=messages,
        )

    async def _tell_positions(self) -> None:
        """Tell every waiting citizen whose place in the queue changed their new place."""

        def work(session: Session) -> list[tuple[HandoffTicket, OutboundMessage]]:
            told = []
            for position, ticket in enumerate(service.waiting_queue(session=session), start=1):
                if ticket.told_position == position:
                    continue
                first = ticket.told_position is None
                ticket.told_position = position
                session.commit()
                if first:
                    continue  # the assistant or the crisis reply already said it
                message = service.add_message(
                    session=session, ticket=ticket, kind=STATUS, push_to_citizen=True,
                    text=citizen_text(
                        "position_changed", position=position,
                        minutes=self._wait_minutes(session, position),
                    ),
                )  # fmt: skip
                told.append((ticket, _outbound(message)))
            return told

        for ticket, message in await self.run_db(work):
            await self._deliver(ticket, [message])

    # ---- views ----

    def _queue_item(
        self, session: Session, ticket: HandoffTicket, position: int | None
    ) -> QueueItem:
        claimer = session.get(StaffUser, ticket.claimed_by_id) if ticket.claimed_by_id else None
        end = ticket.claimed_at if ticket.claimed_at else self.clock()
        return QueueItem(
            id=ticket.id,
            conversation_id=ticket.conversation_id,
            channel=ticket.channel,
            service=ticket.service,
            reason=ticket.reason,
            reason_detail=ticket.reason_detail,
            urgency=ticket.urgency or NORMAL,
            status=ticket.status,
            position=position,
            waiting_seconds=max(0, int((end - ticket.created_at).total_seconds())),
            created_at=ticket.created_at,
            claimed_by=claimer.display_name if claimer else None,
            claimed_by_id=ticket.claimed_by_id,
        )

    def queue_snapshot(self, session: Session) -> QueueSnapshot:
        """Open tickets (urgent and oldest waiting first, then claimed) and the desk state."""
        items = []
        position = 0
        for ticket in service.open_tickets(session=session):
            if ticket.status == WAITING:
                position += 1
            items.append(
                self._queue_item(session, ticket, position if ticket.status == WAITING else None)
            )
        return QueueSnapshot(
            tickets=items,
            open=self._availability(session).open,
            staff_available=service.staff_available(session=session, now=self.clock()),
        )

    def queue_item(self, session: Session, ticket: HandoffTicket) -> QueueItem:
        """One ticket as the queue shows it."""
        return self._queue_item(
            session, ticket, service.queue_position(session=session, ticket=ticket)
        )

    # ---- live streams ----

    async def citizen_stream(
        self, *, conversation_id: str, last_event_id: int | None
    ) -> AsyncIterator[str]:
        """Server-Sent Events of the desk's messages for one conversation's citizen."""
        after = last_event_id
        if after is None:
            after = await self.run_db(lambda s: service.latest_message_id(session=s))
        yield f"retry: 2000\nid: {after}\n\n"

        async def fetch(last: int) -> list[tuple[int, str]]:
            rows = await self.run_db(
                lambda s: service.citizen_outbox(
                    session=s, conversation_id=conversation_id, after_id=last
                )
            )
            return [(row.id, _json(_outbound(row).to_event())) for row in rows]

        async for chunk in self._stream(conversation_topic(conversation_id), after, fetch):
            yield chunk

    async def ticket_stream(self, *, ticket_id: int, last_event_id: int) -> AsyncIterator[str]:
        """Server-Sent Events of a ticket's new messages (staff view, notes included)."""
        yield f"retry: 2000\nid: {last_event_id}\n\n"

        async def fetch(last: int) -> list[tuple[int, str]]:
            rows = await self.run_db(
                lambda s: service.ticket_messages(session=s, ticket_id=ticket_id, after_id=last)
            )
            return [(row.id, _json(_message_json(row))) for row in rows]

        async for chunk in self._stream(ticket_topic(ticket_id), last_event_id, fetch):
            yield chunk

    async def queue_stream(self) -> AsyncIterator[str]:
        """Server-Sent Events of the queue: a full snapshot whenever it changes."""
        yield "retry: 2000\n\n"
        last = ""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_MAX_SECONDS
        quiet = 0
        while loop.time() < deadline:
            version = self.hub.version(QUEUE_TOPIC)
            snapshot = await self.run_db(lambda s: self.queue_snapshot(s).model_dump_json())
            if snapshot != last:
                last = snapshot
                quiet = 0
                yield f"event: queue\ndata: {snapshot}\n\n"
            else:
                quiet += 1
                if quiet % KEEPALIVE_EVERY == 0:
                    yield ": keep-alive\n\n"
            # Waiting times grow by themselves: refresh at least every poll.
            await self.hub.wait(QUEUE_TOPIC, since=version, timeout=STREAM_POLL_SECONDS)

    async def _stream(
        self,
        topic: str,
        after: int,
        fetch: Callable[[int], Any],
    ) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_MAX_SECONDS
        quiet = 0
        while loop.time() < deadline:
            version = self.hub.version(topic)
            rows: list[tuple[int, str]] = await fetch(after)
            for message_id, data in rows:
                after = message_id
                yield f"id: {message_id}\ndata: {data}\n\n"
            quiet = 0 if rows else quiet + 1
            if quiet and quiet % KEEPALIVE_EVERY == 0:
                yield ": keep-alive\n\n"
            await self.hub.wait(topic, since=version, timeout=STREAM_POLL_SECONDS)


def _outbound(message: HandoffMessage) -> OutboundMessage:
    return OutboundMessage(
        id=message.id,
        kind=message.kind,
        text=message.text,
        buttons=list(message.buttons or []),
        staff_name=message.staff_name,
    )


def _message_json(message: HandoffMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind,
        "text": message.text,
        "buttons": message.buttons or [],
        "staff_name": message.staff_name,
        "created_at": message.created_at.isoformat(),
    }


def _bot_message(raw: dict[str, Any]) -> BotMessage:
    buttons = [
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in raw.get("buttons") or []
        if isinstance(b, dict)
    ]
    text = raw.get("text")
    return BotMessage(text=text if isinstance(text, str) else None, buttons=buttons)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def _opening_text(moment: dt.datetime | None) -> str | None:
    """A local opening time as citizens read it (format in texts.yml)."""
    if moment is None:
        return None
    return citizen_text(
        "opening_format", month=moment.month, day=moment.day, time=f"{moment:%H:%M}"
    )
