"""A waiting citizen's message when PostgreSQL ends the desk's session (pg_terminate_backend).

Rasa is scripted (FakeRasa) so the test sees exactly which messages reached it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, create_engine, event, text

from backoffice.records.handoff import message_store
from backoffice.records.handoff.desk import HandoffDesk
from tests.backoffice.handoff_desk_support import SENDER, ask_for_person
from tests.backoffice.handoff_desk_support import clock as clock
from tests.backoffice.handoff_desk_support import desk as desk
from tests.backoffice.handoff_desk_support import rasa as rasa
from tests.backoffice.handoff_support import FakeRasa, make_router


def end_sessions(
    engine: Engine, admin_url: str, *, at: str, times: int = 1, after: str | None = None
) -> list[int]:
    """End (pg_terminate_backend) the session about to run a statement starting with `at`.

    As a database restart does to a session in use (`make bench-faults`, the postgres fault):
    the statement then fails on a broken connection. `times` such statements, counted once a
    statement starting with `after` has run (if given). Returns the ended backends' pids.
    """
    ended: list[int] = []
    seen_after = after is None
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    @event.listens_for(engine, "before_cursor_execute")
    def end_it(conn, cursor, statement, parameters, context, executemany) -> None:
        nonlocal seen_after
        sql = statement.lstrip().upper()
        if not seen_after:
            seen_after = sql.startswith(after or "")
            return
        if len(ended) >= times or not sql.startswith(at):
            return
        pid = cursor.connection.info.backend_pid
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        ended.append(pid)

    return ended


async def citizen_waits(desk: HandoffDesk, rasa: FakeRasa, database_url: str):
    if not database_url.startswith("postgresql"):
        pytest.skip("ends a PostgreSQL session (pg_terminate_backend)")
    router = make_router(desk, rasa)
    await ask_for_person(desk)
    await router.handle(channel="web", sender=SENDER, text="我等着")
    return router, desk.session_factory.kw["bind"]


async def citizen_messages(desk: HandoffDesk) -> list[str]:
    rows = await desk.run_db(lambda s: message_store.ticket_messages(session=s, ticket_id=1))
    return [m.text for m in rows if m.kind == "citizen"]


@pytest.mark.parametrize("ended_at", ["SELECT HANDOFF_TICKETS", "INSERT INTO HANDOFF_MESSAGES"])
async def test_a_waiting_citizens_message_survives_the_database_ending_its_session(
    desk, rasa, database_url, ended_at
) -> None:
    router, engine = await citizen_waits(desk, rasa, database_url)
    ended = end_sessions(engine, database_url, at=ended_at)

    reply = await router.handle(channel="web", sender=SENDER, text="我还在等麻烦快一点")

    assert ended, "no session was ended: the test did not reach that statement"
    assert rasa.texts_sent() == [], "the bot answered a message meant for staff"
    assert reply.messages == [] and "第 1 位" in reply.notices[0]
    assert (await citizen_messages(desk)).count("我还在等麻烦快一点") == 1


async def test_once_the_message_is_stored_the_bot_does_not_answer_it_too(
    desk, rasa, database_url
) -> None:
    router, engine = await citizen_waits(desk, rasa, database_url)
    # The queue position cannot be read (twice: the second try fails too).
    ended = end_sessions(engine, database_url, at="SELECT", times=2, after="INSERT")

    reply = await router.handle(channel="web", sender=SENDER, text="我还在等麻烦快一点")

    assert len(ended) == 2
    assert rasa.texts_sent() == [], "the bot answered a message that reached staff"
    assert reply.messages == [] and reply.notices == []
    assert (await citizen_messages(desk)).count("我还在等麻烦快一点") == 1
