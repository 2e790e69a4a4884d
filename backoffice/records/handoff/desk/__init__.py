"""The handoff desk: who owns a conversation, and everything that changes it.

One desk per web process (built at start-up by `wiring.build_desk`, kept on
`app.state.handoff_desk`). `HandoffDesk` is the desk's face; each job lives in its own module:

- `citizen_gate`: the router asks before Rasa (crisis words, open ticket, cancel, restart);
- `assistant_requests`: the action server asks for a person or records a call-back;
- `staff_actions`: claim, reply, note, close, hand back, extra duty;
- `rasa_hold`: Rasa paused while a person owns the conversation, resumed after;
- `queue_positions`: places in the queue, told to citizens and shown to staff;
- `streams`: Server-Sent Events for the citizen, a ticket and the queue;
- `encoding`: how messages are written for channels, pages and events;
- `context`: what they all share (database, policy, Rasa, deliveries, hub, clock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import utcnow
from backoffice.records.handoff.delivery import DeliveryRegistry
from backoffice.records.handoff.desk.assistant_requests import record_callback, request_handoff
from backoffice.records.handoff.desk.citizen_gate import CitizenGate
from backoffice.records.handoff.desk.context import DeskContext
from backoffice.records.handoff.desk.queue_positions import QueuePositions
from backoffice.records.handoff.desk.rasa_hold import RasaHold
from backoffice.records.handoff.desk.staff_actions import StaffActions
from backoffice.records.handoff.desk.streams import DeskStreams
from backoffice.records.handoff.desk_state import (
    CallbackRecorded,
    DeskHours,
    HandoffOutcome,
    QueueEntry,
    QueueState,
)
from backoffice.records.handoff.events import EventHub
from backoffice.records.handoff.models import HandoffMessage, HandoffTicket
from backoffice.records.handoff.policy import CrisisCategory, HandoffPolicy
from backoffice.records.handoff.rasa_control import RasaControl
from backoffice.records.handoff.schemas import CallbackIn, TicketRequest
from backoffice.staff.models import StaffUser
from core.chat import HumanTurn

T = TypeVar("T")


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
        self._context = DeskContext(
            session_factory=session_factory,
            policy=policy,
            rasa=rasa,
            deliveries=deliveries,
            hub=hub,
            clock=clock,
        )
        hold = RasaHold(self._context)
        self._queue = QueuePositions(self._context)
        self._gate = CitizenGate(self._context, hold, self._queue)
        self._staff = StaffActions(self._context, hold, self._queue)
        self._streams = DeskStreams(self._context, self._queue)

    async def aclose(self) -> None:
        """Release the Rasa connections and the hub's."""
        await self.rasa.aclose()
        await self.hub.aclose()

    async def run_db(self, work: Callable[[Session], T], *, again_if_ended: bool = False) -> T:
        """Run `work` with a fresh database session in a worker thread (`DeskContext.run_db`)."""
        return await self._context.run_db(work, again_if_ended=again_if_ended)

    async def availability(self) -> DeskHours:
        """Whether staff take conversations now, and when they do next."""
        return await self._context.run_db(self._context.availability)

    # ---- the router's side (citizen_gate) ----

    def detect_crisis(self, text: str) -> CrisisCategory | None:
        """The crisis category whose words occur in the (normalised) citizen text, if any."""
        return self._gate.detect_crisis(text)

    async def open_crisis(
        self, *, channel: str, sender: str, text: str, category: CrisisCategory
    ) -> HumanTurn:
        """Emergency numbers at once, then an urgent ticket (`CitizenGate.open_crisis`)."""
        return await self._gate.open_crisis(
            channel=channel, sender=sender, text=text, category=category
        )

    async def take_if_owned(self, *, channel: str, sender: str, text: str) -> HumanTurn | None:
        """The reply when a person owns the conversation, else None (`CitizenGate`)."""
        return await self._gate.take_if_owned(channel=channel, sender=sender, text=text)

    async def after_bot_turn(self, *, channel: str, sender: str) -> None:
        """Pause Rasa when the bot's turn just opened a ticket."""
        await self._gate.after_bot_turn(channel=channel, sender=sender)

    # ---- the assistant's side (assistant_requests) ----

    async def request_handoff(self, request: TicketRequest) -> HandoffOutcome:
        """Open a ticket for the conversation, or say that staff are off duty now."""
        return await request_handoff(request, context=self._context, queue=self._queue)

    async def record_callback(self, request: CallbackIn) -> CallbackRecorded:
        """Store a call-back request and tell the queue (`assistant_requests.record_callback`)."""
        return await record_callback(request, context=self._context)

    # ---- the staff side (staff_actions) ----

    async def claim(self, *, ticket_id: int, staff: StaffUser) -> HandoffTicket:
        """Take a waiting ticket (`StaffActions.claim`)."""
        return await self._staff.claim(ticket_id=ticket_id, staff=staff)

    async def reply(self, *, ticket_id: int, staff: StaffUser, text: str) -> HandoffMessage:
        """Send a staff reply to the citizen (`StaffActions.reply`)."""
        return await self._staff.reply(ticket_id=ticket_id, staff=staff, text=text)

    async def note(self, *, ticket_id: int, staff: StaffUser, text: str) -> HandoffMessage:
        """Add a private note (`StaffActions.note`)."""
        return await self._staff.note(ticket_id=ticket_id, staff=staff, text=text)

    async def close(self, *, ticket_id: int, staff: StaffUser) -> HandoffTicket:
        """End the handover; Rasa resumes silently (`StaffActions.close`)."""
        return await self._staff.close(ticket_id=ticket_id, staff=staff)

    async def hand_back(
        self, *, ticket_id: int, staff: StaffUser, resume_intent: str | None
    ) -> HandoffTicket:
        """Give the conversation back to the bot (`StaffActions.hand_back`)."""
        return await self._staff.hand_back(
            ticket_id=ticket_id, staff=staff, resume_intent=resume_intent
        )

    async def set_duty(self, *, staff: StaffUser, on: bool) -> dt.datetime | None:
        """Take conversations outside office hours for the configured hours (or stop)."""
        return await self._staff.set_duty(staff=staff, on=on)

    # ---- the queue (queue_positions) and live streams (streams) ----

    def queue_snapshot(self, session: Session) -> QueueState:
        """Open tickets (urgent and oldest waiting first, then claimed) and the desk state."""
        return self._queue.snapshot(session)

    def queue_entry(self, session: Session, ticket: HandoffTicket) -> QueueEntry:
        """One ticket as the queue shows it."""
        return self._queue.entry(session, ticket)

    def citizen_stream(
        self, *, conversation_id: str, last_event_id: int | None
    ) -> AsyncIterator[str]:
        """Server-Sent Events of the desk's messages for one conversation's citizen."""
        return self._streams.citizen_stream(
            conversation_id=conversation_id, last_event_id=last_event_id
        )

    def ticket_stream(self, *, ticket_id: int, last_event_id: int) -> AsyncIterator[str]:
        """Server-Sent Events of a ticket's new messages (staff view, notes included)."""
        return self._streams.ticket_stream(ticket_id=ticket_id, last_event_id=last_event_id)

    def queue_stream(self) -> AsyncIterator[str]:
        """Server-Sent Events of the queue: a full snapshot whenever it changes."""
        return self._streams.queue_stream()
