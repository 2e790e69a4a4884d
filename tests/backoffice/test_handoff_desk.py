"""The desk end to end in one process: router ownership, crisis, cancel, claim, reply, hand back.

Rasa is scripted (FakeRasa) so the test sees exactly which messages reached it.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session

from backoffice.records.handoff import callback_requests, message_store, tickets
from backoffice.records.handoff.desk import HandoffDesk
from backoffice.records.handoff.desk.staff_actions import AssistantUnavailableForHandBackError
from backoffice.records.handoff.models import CANCELLED, CLAIMED, HANDED_BACK, URGENT, WAITING
from backoffice.records.handoff.schemas import TicketRequest
from backoffice.records.handoff.state_changes import HandoffConflictError
from tests.backoffice.handoff_support import (
    SATURDAY_10_AM_UTC,
    WELCOME_BACK,
    Clock,
    FakeRasa,
    add_staff,
    make_desk,
    make_router,
)

SENDER = "citizen-0001"
CID = f"web-{SENDER}"


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(database_url: str, rasa: FakeRasa, clock: Clock) -> HandoffDesk:
    return make_desk(database_url, rasa, clock)


@pytest.fixture
def staff(session: Session):
    return add_staff(session)


async def ask_for_person(desk: HandoffDesk, cid: str = CID, **extra) -> None:
    outcome = await desk.request_handoff(
        TicketRequest(
            conversation_id=cid,
            reason="citizen_request",
            transcript=[{"kind": "citizen", "text": "转人工"}],
            **extra,
        )
    )
    assert outcome.outcome == "queued", outcome


async def collect(stream, count: int, timeout: float = 5.0) -> list[str]:
    """The first `count` data events of an SSE generator."""
    found: list[str] = []

    async def read() -> None:
        async for chunk in stream:
            found.extend(
                line.removeprefix("data: ")
                for line in chunk.splitlines()
                if line.startswith("data: ")
            )
            if len(found) >= count:
                return

    await asyncio.wait_for(read(), timeout)
    return found


async def test_owned_conversation_does_not_reach_rasa(desk, rasa, staff) -> None:
    router = make_router(desk, rasa)
    await router.handle(channel="web", sender=SENDER, text="你好")
    assert rasa.texts_sent() == ["你好"]

    await ask_for_person(desk)
    # The next bot turn (or any message) pauses Rasa through its API.
    reply = await router.handle(channel="web", sender=SENDER, text="我等着")
    assert rasa.texts_sent() == ["你好"], "a message reached Rasa while a person owns the chat"
    assert rasa.events_for(CID) == ["pause"]
    assert reply.messages == []
    assert "第 1 位" in reply.notices[0] and reply.receipt is None

    await desk.claim(ticket_id=1, staff=staff["agent1"])
    silent = await router.handle(channel="web", sender=SENDER, text="我的身份证 330106199001011234")
    assert silent.messages == [] and silent.notices == []
    # Not the bot speaking: a quiet receipt that the words reached the staff member.
    assert silent.receipt == "已送达人工客服 小王"
    assert rasa.texts_sent() == ["你好"]
    pressed = await router.handle(channel="web", sender=SENDER, text="/request_menu")
    assert (pressed.messages, pressed.notices, pressed.receipt) == ([], [], None)
    texts = [
        m.text
        for m in await desk.run_db(lambda s: message_store.ticket_messages(session=s, ticket_id=1))
    ]
    assert "我等着" in texts and "我的身份证 3301**********1234" in texts


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


async def test_staff_reply_reaches_the_citizen_stream_and_hand_back_resumes(
    desk, rasa, staff
) -> None:
    router = make_router(desk, rasa)
    await ask_for_person(desk)
    stream = desk.citizen_stream(conversation_id=CID, last_event_id=None)
    first = await anext(stream)  # the stream starts at the newest message
    assert first.startswith("retry:")

    await desk.claim(ticket_id=1, staff=staff["agent1"])
    await desk.reply(
        ticket_id=1, staff=staff["agent1"], text="您好，我是小王，请问有什么可以帮您？"
    )
    events = [json.loads(data) for data in await collect(stream, 2)]
    assert events[0] == {"type": "status", "text": events[0]["text"]}
    assert "小王" in events[0]["text"]
    assert events[1]["from"] == "staff" and events[1]["staff_name"] == "小王"
    assert events[1]["text"].startswith("您好，我是小王")

    with pytest.raises(HandoffConflictError):
        await desk.reply(ticket_id=1, staff=staff["agent2"], text="我也来")

    await desk.hand_back(ticket_id=1, staff=staff["agent1"], resume_intent=None)
    assert rasa.events_for(CID)[-1] == "resume"
    assert rasa.triggered == [(CID, "continue_conversation")]
    events = [json.loads(data) for data in await collect(stream, 2)]
    assert events[0]["type"] == "status"
    assert events[1]["from"] == "bot" and events[1]["text"] == WELCOME_BACK
    await stream.aclose()

    # The bot owns the conversation again.
    reply = await router.handle(channel="web", sender=SENDER, text="我想预约结婚")
    assert rasa.texts_sent()[-1] == "我想预约结婚"
    assert reply.messages[0].text == "机器人回复：我想预约结婚"
    ticket = await desk.run_db(lambda s: tickets.get_ticket(session=s, ticket_id=1))
    assert ticket.status == HANDED_BACK and ticket.resume_intent == "continue_conversation"


async def test_hand_back_refused_while_rasa_is_down(desk, rasa, staff) -> None:
    await ask_for_person(desk)
    await desk.claim(ticket_id=1, staff=staff["agent1"])
    rasa.down = True
    with pytest.raises(AssistantUnavailableForHandBackError) as unavailable:
        await desk.hand_back(ticket_id=1, staff=staff["agent1"], resume_intent="request_menu")
    assert "refused" in str(unavailable.value.__cause__)
    ticket = await desk.run_db(lambda s: tickets.get_ticket(session=s, ticket_id=1))
    assert ticket.status == CLAIMED
    with pytest.raises(HandoffConflictError) as bad:
        await desk.hand_back(ticket_id=1, staff=staff["agent1"], resume_intent="restart")
    assert bad.value.code == "resume_not_allowed"


async def test_crisis_words_open_an_urgent_ticket_before_rasa(desk, rasa, staff) -> None:
    router = make_router(desk, rasa)
    rasa.tracker_slots = {"district": "西湖区", "requested_slot": None}
    rasa.tracker_events = [{"event": "user", "text": "你好"}, {"event": "bot", "text": "您好！"}]
    await ask_for_person(desk, cid="web-someone-else")
    reply = await router.handle(channel="web", sender=SENDER, text="我老公家暴我，我该怎么办")
    assert rasa.texts_sent() == [], "crisis text must not go to Rasa"
    texts = " ".join(m.text or "" for m in reply.messages)
    assert "110" in texts and "12338" in texts and "第 1 位" in texts
    ticket = await desk.run_db(lambda s: tickets.open_ticket_for(session=s, conversation_id=CID))
    assert (
        ticket.urgency == URGENT
        and ticket.reason == "crisis"
        and ticket.summary["crisis"] == "domestic_violence"
    )
    assert ticket.summary["slots"] == {"district": "西湖区"}
    assert rasa.events_for(CID) == ["pause"]
    queue = await desk.run_db(lambda s: tickets.waiting_queue(session=s))
    assert queue[0].id == ticket.id, "urgent tickets go first"
    transcript = await desk.run_db(
        lambda s: message_store.ticket_messages(session=s, ticket_id=ticket.id)
    )
    assert [m.text for m in transcript][:2] == ["你好", "您好！"]
    assert [m.kind for m in transcript] == ["citizen", "bot", "citizen"]
    assert "家暴" in transcript[2].text


async def test_crisis_outside_hours_still_opens_and_says_so(desk, rasa, clock) -> None:
    clock.now = SATURDAY_10_AM_UTC
    reply = await make_router(desk, rasa).handle(channel="web", sender=SENDER, text="我不想活了")
    texts = " ".join(m.text or "" for m in reply.messages)
    assert "12356" in texts and "非工作时间" in texts
    ticket = await desk.run_db(lambda s: tickets.open_ticket_for(session=s, conversation_id=CID))
    assert ticket is not None and ticket.urgency == URGENT


async def test_crisis_outside_hours_never_promises_a_person_or_a_wait(desk, rasa, clock) -> None:
    clock.now = SATURDAY_10_AM_UTC
    for other in ("web-earlier-1", "web-earlier-2"):  # earlier urgent tickets wait too
        await make_router(desk, rasa).handle(channel="web", sender=other[4:], text="我想死")
    router = make_router(desk, rasa)
    reply = await router.handle(channel="web", sender=SENDER, text="我不想活了")
    first, second = (m.text or "" for m in reply.messages)
    # The emergency and 24-hour numbers first; then what truly happens next.
    assert "110" in first and "120" in first and "12356" in first and "。 " not in first
    assert "11月30日 08:30" in second and "回电" in second and "12345" in second
    for promise in ("转接", "不要离开", "排在第", "预计等待", "分钟"):
        assert promise not in first + second, promise
    later = await router.handle(channel="web", sender=SENDER, text="还有人吗")
    assert later.messages == [] and "12345" in later.notices[0]
    assert "排在第" not in later.notices[0] and "分钟" not in later.notices[0]
    phone = await router.handle(channel="web", sender=SENDER, text="我的电话 138 1234 5678")
    assert "138****5678" in phone.notices[0] and "回电" in phone.notices[0]
    callbacks = await desk.run_db(lambda s: callback_requests.list_callbacks(session=s))
    assert [(c.conversation_id, c.phone, c.reason) for c in callbacks] == [
        (CID, "13812345678", "crisis")
    ]
    # The tickets ahead of this one go: nobody on duty, so no "排队更新" with a wait either.
    first_ticket = await desk.run_db(
        lambda s: tickets.open_ticket_for(session=s, conversation_id="web-earlier-1")
    )
    await router.handle(channel="web", sender="earlier-1", text="不等了")
    await router.handle(channel="web", sender="earlier-2", text="不等了")
    pushed = await desk.run_db(
        lambda s: message_store.citizen_outbox(session=s, conversation_id=CID, after_id=0)
    )
    assert first_ticket is not None and not [m for m in pushed if "排队" in m.text]


async def test_crisis_in_hours_is_the_usual_urgent_transfer(desk, rasa) -> None:
    reply = await make_router(desk, rasa).handle(channel="web", sender=SENDER, text="我不想活了")
    first, second = (m.text or "" for m in reply.messages)
    assert "12356" in first and "转接" not in first
    assert "紧急转接人工客服" in second and "第 1 位" in second and "非工作时间" not in second


async def test_crisis_survives_rasa_being_down(desk, rasa) -> None:
    rasa.down = True
    reply = await make_router(desk, rasa).handle(channel="web", sender=SENDER, text="孩子走丢了")
    assert "110" in (reply.messages[0].text or "")
    ticket = await desk.run_db(lambda s: tickets.open_ticket_for(session=s, conversation_id=CID))
    assert ticket is not None and not ticket.rasa_paused
    # Rasa is back: the next message pauses it; the message stays with the ticket.
    rasa.down = False
    await make_router(desk, rasa).handle(channel="web", sender=SENDER, text="在西湖边")
    assert rasa.events_for(CID) == ["pause"] and rasa.texts_sent() == []


async def test_citizen_cancels_waiting(desk, rasa) -> None:
    router = make_router(desk, rasa)
    await ask_for_person(desk)
    reply = await router.handle(channel="web", sender=SENDER, text="不等了！")
    assert "取消" in (reply.messages[0].text or "")
    assert reply.messages[-1].text == WELCOME_BACK
    assert rasa.triggered == [(CID, "continue_conversation")]
    ticket = await desk.run_db(lambda s: tickets.get_ticket(session=s, ticket_id=1))
    assert ticket.status == CANCELLED
    assert rasa.events_for(CID)[-1] == "resume"
    # The button works too, and afterwards messages go to Rasa again.
    await ask_for_person(desk)
    await router.handle(channel="web", sender=SENDER, text="/cancel_handoff")
    await router.handle(channel="web", sender=SENDER, text="你好")
    assert rasa.texts_sent() == ["你好"]


async def cancel_while_rasa_is_down(desk, rasa, router) -> None:
    """A paused conversation whose ticket ends while Rasa cannot be told to resume."""
    await ask_for_person(desk)
    await router.handle(channel="web", sender=SENDER, text="我等着")  # pauses Rasa
    rasa.down = True
    await router.handle(channel="web", sender=SENDER, text="不等了")
    rasa.down = False
    ticket = await desk.run_db(lambda s: tickets.get_ticket(session=s, ticket_id=1))
    assert ticket.status == CANCELLED and ticket.rasa_paused


async def test_rasa_left_paused_is_resumed_on_the_next_message(desk, rasa) -> None:
    router = make_router(desk, rasa)
    await cancel_while_rasa_is_down(desk, rasa, router)
    await router.handle(channel="web", sender=SENDER, text="你好")
    assert rasa.events_for(CID) == ["pause", "resume"]
    assert rasa.texts_sent() == ["你好"]
    ticket = await desk.run_db(lambda s: tickets.get_ticket(session=s, ticket_id=1))
    assert not ticket.rasa_paused
    # Resumed once: later messages go straight to Rasa.
    await router.handle(channel="web", sender=SENDER, text="我想捐款")
    assert rasa.events_for(CID) == ["pause", "resume"]
    assert rasa.texts_sent() == ["你好", "我想捐款"]


async def test_an_open_ticket_owns_the_chat_before_an_ended_one_left_paused(desk, rasa) -> None:
    router = make_router(desk, rasa)
    await cancel_while_rasa_is_down(desk, rasa, router)
    await ask_for_person(desk)  # ticket 2, open
    reply = await router.handle(channel="web", sender=SENDER, text="我还在等")
    assert rasa.texts_sent() == [], "a message reached Rasa while a person owns the chat"
    assert "第 1 位" in reply.notices[0]
    texts = [
        m.text
        for m in await desk.run_db(lambda s: message_store.ticket_messages(session=s, ticket_id=2))
    ]
    assert "我还在等" in texts


async def test_restart_ends_the_handover_and_reaches_rasa(desk, rasa, staff) -> None:
    router = make_router(desk, rasa)
    await ask_for_person(desk)
    await desk.claim(ticket_id=1, staff=staff["agent1"])
    await router.handle(channel="web", sender=SENDER, text="/restart")
    assert rasa.texts_sent() == ["/restart"]
    ticket = await desk.run_db(lambda s: tickets.get_ticket(session=s, ticket_id=1))
    assert ticket.open_conversation_id is None


async def test_queue_positions_are_told_when_they_change(desk, rasa, staff) -> None:
    await ask_for_person(desk, cid="web-first-one")
    await ask_for_person(desk, cid="web-second-one")
    stream = desk.citizen_stream(conversation_id="web-second-one", last_event_id=None)
    await anext(stream)
    outcome = await desk.request_handoff(
        TicketRequest(conversation_id="web-second-one", reason="citizen_request")
    )
    assert outcome.outcome == "already_queued" and outcome.position == 2
    await desk.claim(ticket_id=1, staff=staff["agent1"])
    events = [json.loads(data) for data in await collect(stream, 1)]
    assert events[0]["type"] == "status" and "第 1 位" in events[0]["text"]
    await stream.aclose()


async def test_outside_hours_offers_callback_unless_someone_is_on_duty(desk, clock, staff) -> None:
    clock.now = SATURDAY_10_AM_UTC
    outcome = await desk.request_handoff(
        TicketRequest(conversation_id=CID, reason="citizen_request")
    )
    assert outcome.outcome == "outside_hours"
    assert outcome.next_opening_text == "11月30日 08:30"
    assert (
        await desk.run_db(lambda s: tickets.open_ticket_for(session=s, conversation_id=CID)) is None
    )
    await desk.set_duty(staff=staff["agent1"], on=True)
    assert (
        await desk.request_handoff(TicketRequest(conversation_id=CID, reason="x"))
    ).outcome == "queued"


async def test_queue_stream_sends_snapshots(desk, staff) -> None:
    stream = desk.queue_stream()
    await anext(stream)
    first = json.loads((await collect(stream, 1))[0])
    assert first["tickets"] == []
    await ask_for_person(desk)
    second = json.loads((await collect(stream, 1))[0])
    assert [t["status"] for t in second["tickets"]] == [WAITING]
    await stream.aclose()


async def test_without_desk_tables_the_bot_answers_and_crisis_numbers_still_come(
    tmp_path, rasa
) -> None:
    broken = make_desk(f"sqlite:///{tmp_path / 'empty.db'}", rasa, Clock())
    router = make_router(broken, rasa)
    reply = await router.handle(channel="web", sender=SENDER, text="你好")
    assert rasa.texts_sent() == ["你好"] and reply.messages
    crisis = await router.handle(channel="web", sender=SENDER, text="我想自杀")
    assert "12356" in (crisis.messages[0].text or "") and "12345" in crisis.notices[0]
    assert rasa.texts_sent() == ["你好"]


async def test_a_handover_asked_first_thing_reaches_staff_with_what_is_known(desk, rasa) -> None:
    await ask_for_person(desk, references=["HY-20261207-0003"])
    ticket = await desk.run_db(lambda s: tickets.open_ticket_for(session=s, conversation_id=CID))
    assert ticket.summary["channel"] == "web" and ticket.summary["first_words"] is None
    assert ticket.summary["references"] == ["HY-20261207-0003"] and ticket.service is None
    router = make_router(desk, rasa)
    await router.handle(channel="web", sender=SENDER, text="我想问问低保，身份证330106199001011234")
    ticket = await desk.run_db(lambda s: tickets.open_ticket_for(session=s, conversation_id=CID))
    assert ticket.service == "prescreen" and ticket.summary["service_inferred"] == "prescreen"
    assert ticket.summary["first_words"] == "我想问问低保,身份证3301**********1234"


async def test_a_crisis_case_names_the_channel_and_the_first_words(desk, rasa) -> None:
    rasa.tracker_events = [
        {"event": "user", "text": "我想给养老院捐款"},
        {"event": "bot", "text": "已登记您的捐赠意向，编号 CS-20261130-0012。"},
        {"event": "restart"},
    ]
    await make_router(desk, rasa).handle(channel="web", sender=SENDER, text="我被打了")
    ticket = await desk.run_db(lambda s: tickets.open_ticket_for(session=s, conversation_id=CID))
    assert ticket.summary["channel"] == "web" and ticket.summary["first_words"] == "我被打了"
    assert ticket.summary["references"] == ["CS-20261130-0012"], "before the restart too"
