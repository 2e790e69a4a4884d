"""Crisis words at the desk, in one process: an urgent ticket before Rasa, in and out of hours.

Rasa is scripted (FakeRasa) so the test sees exactly which messages reached it.
"""

from __future__ import annotations

from backoffice.records.handoff import callback_requests, message_store, tickets
from backoffice.records.handoff.models import URGENT
from tests.backoffice.handoff_desk_support import CID, SENDER, ask_for_person
from tests.backoffice.handoff_desk_support import clock as clock
from tests.backoffice.handoff_desk_support import desk as desk
from tests.backoffice.handoff_desk_support import rasa as rasa
from tests.backoffice.handoff_desk_support import staff as staff
from tests.backoffice.handoff_support import SATURDAY_10_AM_UTC, Clock, make_desk, make_router


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
