"""The queue: each waiting citizen's place (told when it changes) and the staff's view of it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backoffice.records.handoff import message_store, staff_presence, tickets
from backoffice.records.handoff.delivery import OutboundMessage
from backoffice.records.handoff.desk.context import DeskContext
from backoffice.records.handoff.desk.encoding import outbound
from backoffice.records.handoff.desk_state import QueueEntry, QueueState
from backoffice.records.handoff.models import STATUS, WAITING, HandoffTicket
from backoffice.records.handoff.texts import citizen_text
from backoffice.staff.models import StaffUser


class QueuePositions:
    """Places in the queue, for citizens and for the staff console."""

    def __init__(self, context: DeskContext) -> None:
        self._context = context

    async def tell_changes(self) -> None:
        """Tell every waiting citizen whose place in the queue changed their new place."""
        context = self._context

        def work(session: Session) -> list[tuple[HandoffTicket, OutboundMessage]]:
            told = []
            # While nobody is on duty a place and a wait estimate would promise what cannot be.
            on_duty = context.availability(session).open
            for position, ticket in enumerate(tickets.waiting_queue(session=session), start=1):
                if ticket.told_position == position:
                    continue
                first = ticket.told_position is None
                ticket.told_position = position
                session.commit()
                if first or not on_duty:
                    continue  # the assistant or the crisis reply already said it
                message = message_store.add_message(
                    session=session, ticket=ticket, kind=STATUS, push_to_citizen=True,
                    text=citizen_text(
                        "position_changed", position=position,
                        minutes=context.wait_minutes(session, position),
                    ),
                )  # fmt: skip
                told.append((ticket, outbound(message)))
            return told

        for ticket, message in await context.run_db(work):
            await context.deliver(ticket, [message])

    def snapshot(self, session: Session) -> QueueState:
        """Open tickets (urgent and oldest waiting first, then claimed) and the desk state."""
        entries = []
        position = 0
        for ticket in tickets.open_tickets(session=session):
            if ticket.status == WAITING:
                position += 1
            entries.append(
                self._entry(session, ticket, position if ticket.status == WAITING else None)
            )
        return QueueState(
            entries=entries,
            open=self._context.availability(session).open,
            staff_available=staff_presence.staff_available(
                session=session, now=self._context.clock()
            ),
        )

    def entry(self, session: Session, ticket: HandoffTicket) -> QueueEntry:
        """One ticket as the queue shows it."""
        return self._entry(session, ticket, tickets.queue_position(session=session, ticket=ticket))

    def _entry(self, session: Session, ticket: HandoffTicket, position: int | None) -> QueueEntry:
        claimer = session.get(StaffUser, ticket.claimed_by_id) if ticket.claimed_by_id else None
        end = ticket.claimed_at if ticket.claimed_at else self._context.clock()
        return QueueEntry(
            ticket=ticket,
            position=position,
            claimed_by=claimer.display_name if claimer else None,
            waiting_seconds=max(0, int((end - ticket.created_at).total_seconds())),
        )
