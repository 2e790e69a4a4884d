"""What every part of the desk shares.

The database, the policy, Rasa, the deliveries, the hub, the clock, and the answers that several
parts need (open now? how long a wait?).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from backoffice.records.handoff import staff_presence
from backoffice.records.handoff.delivery import DeliveryRegistry, OutboundMessage
from backoffice.records.handoff.desk.encoding import opening_text
from backoffice.records.handoff.desk_state import DeskHours
from backoffice.records.handoff.events import EventHub
from backoffice.records.handoff.models import HandoffTicket
from backoffice.records.handoff.policy import HandoffPolicy
from backoffice.records.handoff.rasa_control import RasaControl

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class DeskContext:
    """The desk's shared state (see `HandoffDesk` for each field)."""

    session_factory: sessionmaker[Session]
    policy: HandoffPolicy
    rasa: RasaControl
    deliveries: DeliveryRegistry
    hub: EventHub
    clock: Callable[[], dt.datetime]
    _ticket_locks: dict[int, asyncio.Lock] = field(default_factory=dict)

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

    async def read_before_message(self, work: Callable[[Session], T]) -> T:
        """Run the read the router makes before every citizen message (`run_db` semantics).

        On a local SQLite file (the embedded profile) the read runs right here on the event
        loop: one indexed row costs about 0.1 ms there, less than handing it to a worker thread
        and back (about 0.6 ms of CPU per message under load, measured). A database over the
        network keeps the worker thread, so that a slow database never stalls the event loop.
        """
        if not self._local_database:
            return await self.run_db(work, again_if_ended=True)
        with self.session_factory() as session:
            return work(session)

    @property
    def _local_database(self) -> bool:
        bind = self.session_factory.kw.get("bind")
        return bind is not None and bind.dialect.name == "sqlite"

    def availability(self, session: Session) -> DeskHours:
        """Whether staff take conversations now (office hours or extra duty), and when next."""
        now = self.clock()
        is_open = self.policy.hours.is_open(now) or staff_presence.someone_on_duty(
            session=session, now=now
        )
        opening = None if is_open else self.policy.hours.next_opening(now)
        return DeskHours(
            open=is_open,
            hours=self.policy.hours.description,
            next_opening=opening,
            next_opening_text=opening_text(opening),
        )

    def wait_minutes(self, session: Session, position: int) -> int:
        """The estimated wait at `position` with the staff at the console now."""
        staff = staff_presence.staff_available(session=session, now=self.clock())
        return self.policy.estimated_wait_minutes(position=position, staff_available=staff)

    def lock(self, ticket_id: int) -> asyncio.Lock:
        """The lock that keeps two staff actions on one ticket from interleaving."""
        return self._ticket_locks.setdefault(ticket_id, asyncio.Lock())

    async def deliver(self, ticket: HandoffTicket, messages: list[OutboundMessage]) -> None:
        """Hand stored messages to the channel of the ticket's citizen."""
        await self.deliveries.deliver(
            channel=ticket.channel,
            conversation_id=ticket.conversation_id,
            sender=ticket.sender,
            messages=messages,
        )
