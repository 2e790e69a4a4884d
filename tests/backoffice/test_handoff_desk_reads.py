"""Where the router's read before each citizen message runs (`DeskContext.read_before_message`).

On the embedded SQLite file it runs on the event loop (a worker-thread hand-off costs more than
the read); on PostgreSQL it keeps the worker thread, so a slow database never stalls the loop.
"""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from backoffice.records.handoff import tickets
from backoffice.records.handoff.desk import HandoffDesk
from tests.backoffice.handoff_desk_support import CID, ask_for_person
from tests.backoffice.handoff_desk_support import clock as clock
from tests.backoffice.handoff_desk_support import desk as desk
from tests.backoffice.handoff_desk_support import rasa as rasa


async def test_the_read_runs_on_the_loop_only_for_a_local_sqlite_file(
    desk: HandoffDesk, database_url: str
) -> None:
    threads: list[threading.Thread] = []

    def read(session: Session) -> object:
        threads.append(threading.current_thread())
        return tickets.ticket_for_router(session=session, conversation_id=CID)

    assert await desk._context.read_before_message(read) is None
    on_loop = threads == [threading.current_thread()]
    assert on_loop is database_url.startswith("sqlite")


async def test_the_read_finds_the_open_ticket_on_either_path(desk: HandoffDesk) -> None:
    await ask_for_person(desk)
    ticket = await desk._context.read_before_message(
        lambda s: tickets.ticket_for_router(session=s, conversation_id=CID)
    )
    assert ticket is not None and ticket.open_conversation_id == CID
