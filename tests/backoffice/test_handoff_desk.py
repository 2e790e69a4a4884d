"""The desk end to end in one process: router ownership, cancel, claim, reply, hand back, queue.

Rasa is scripted (FakeRasa) so the test sees exactly which messages reached it.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from backoffice.records.handoff import message_store, tickets
from backoffice.records.handoff.desk.staff_actions import AssistantUnavailableForHandBackError
from backoffice.records.handoff.models import CANCELLED, CLAIMED, HANDED_BACK, WAITING
from backoffice.records.handoff.schemas import TicketRequest
from backoffice.records.handoff.state_changes import HandoffConflictError
from tests.backoffice.handoff_desk_support import CID, SENDER, ask_for_person
from tests.backoffice.handoff_desk_support import clock as clock
from tests.backoffice.handoff_desk_support import desk as desk
from tests.backoffice.handoff_desk_support import rasa as rasa
from tests.backoffice.handoff_desk_support import staff as staff
from tests.backoffice.handoff_support import SATURDAY_10_AM_UTC, WELCOME_BACK, make_router


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
