"""Tickets, the queue order, the claim race, state changes, call-backs, masking."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import make_engine
from backoffice.records.handoff import callback_requests, message_store, staff_presence, tickets
from backoffice.records.handoff.models import (
    CANCELLED,
    CLAIMED,
    CLOSED,
    HANDED_BACK,
    NORMAL,
    URGENT,
    WAITING,
    CallbackRequest,
    HandoffMessage,
)
from backoffice.records.handoff.state_changes import HandoffConflictError
from backoffice.records.handoff.tickets import TranscriptLine
from backoffice.staff import service as staff_service
from backoffice.staff.models import StaffUser
from tests.backoffice.handoff_support import add_staff

T0 = dt.datetime(2026, 11, 30, 2, 0)


def open_one(session: Session, cid: str, *, urgency: str = NORMAL, minute: int = 0, **extra):
    ticket, created = tickets.open_ticket(
        session=session, conversation_id=cid, channel="web", sender=cid.removeprefix("web-"),
        reason="citizen_request", urgency=urgency, now=T0 + dt.timedelta(minutes=minute), **extra,
    )  # fmt: skip
    return ticket, created


def test_one_open_ticket_per_conversation(session: Session) -> None:
    first, created = open_one(session, "web-aaaaaaaa")
    again, created_again = open_one(session, "web-aaaaaaaa")
    assert created and not created_again
    assert again.id == first.id
    stored = tickets.open_ticket_for(session=session, conversation_id="web-aaaaaaaa")
    assert stored is not None and stored.id == first.id


def test_urgent_request_escalates_the_open_ticket(session: Session) -> None:
    ticket, _ = open_one(session, "web-aaaaaaaa")
    escalated, created = open_one(session, "web-aaaaaaaa", urgency=URGENT)
    assert not created and escalated.id == ticket.id and escalated.urgency == URGENT


def test_a_crisis_in_a_waiting_conversation_becomes_the_ticket_reason(session: Session) -> None:
    ticket, _ = open_one(session, "web-aaaaaaaa")
    escalated, created = tickets.open_ticket(
        session=session, conversation_id="web-aaaaaaaa", channel="web", sender="aaaaaaaa",
        reason="crisis", reason_detail="老人走失", urgency=URGENT, now=T0,
    )  # fmt: skip
    assert not created and escalated.id == ticket.id
    assert (escalated.urgency, escalated.reason, escalated.reason_detail) == (
        URGENT,
        "crisis",
        "老人走失",
    )


def test_queue_is_urgent_first_then_oldest_first(session: Session) -> None:
    old, _ = open_one(session, "web-oldoldold", minute=0)
    new, _ = open_one(session, "web-newnewnew", minute=5)
    urgent, _ = open_one(session, "web-urgenturg", urgency=URGENT, minute=9)
    assert [t.id for t in tickets.waiting_queue(session=session)] == [urgent.id, old.id, new.id]
    assert tickets.queue_position(session=session, ticket=new) == 3
    assert tickets.queue_position(session=session, ticket=urgent) == 1


def test_transcript_and_summary_are_stored_masked(session: Session) -> None:
    ticket, _ = open_one(
        session,
        "web-maskmask1",
        summary={"slots": {"groom_id_number": "330106199001011234", "district": "西湖区"}},
        transcript=[
            TranscriptLine("citizen", "我的身份证是 330106199001011234"),
            TranscriptLine("bot", "好的"),
        ],
    )
    assert ticket.summary["slots"] == {
        "groom_id_number": "3301**********1234",
        "district": "西湖区",
    }
    texts = [m.text for m in message_store.ticket_messages(session=session, ticket_id=ticket.id)]
    assert texts == ["我的身份证是 3301**********1234", "好的"]
    message = message_store.add_message(
        session=session, ticket=ticket, kind="citizen", text="号码 33010619900101123X"
    )
    assert message.text == "号码 3301**********123X"
    assert "330106" not in str(session.scalars(select(HandoffMessage.text)).all())


def test_claim_then_second_claim_conflicts(session: Session) -> None:
    staff = add_staff(session)
    ticket, _ = open_one(session, "web-claimone")
    claimed = tickets.claim(session=session, ticket_id=ticket.id, staff=staff["agent1"])
    assert claimed.status == CLAIMED and claimed.claimed_by_id == staff["agent1"].id
    with pytest.raises(HandoffConflictError) as lost:
        tickets.claim(session=session, ticket_id=ticket.id, staff=staff["agent2"])
    assert lost.value.code == "already_claimed"
    with pytest.raises(HandoffConflictError) as missing:
        tickets.claim(session=session, ticket_id=999, staff=staff["agent2"])
    assert missing.value.code == "ticket_not_found"


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_claims_exactly_one_wins(database_url: str, attempt: int) -> None:
    engine = make_engine(database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as setup:
        add_staff(setup)
        for index in range(4):
            extra = StaffUser(
                username=f"racer{index}", display_name=f"客服{index}", role="agent",
                password_hash="x", session_epoch=0, active=True,
            )  # fmt: skip
            setup.add(extra)
        setup.commit()
        ticket, _ = open_one(setup, "web-raceraces")
        racers = list(setup.scalars(select(StaffUser)))
    barrier = threading.Barrier(len(racers))
    winners: list[int] = []
    losers: list[str] = []

    def race(member: StaffUser) -> None:
        with factory() as own:
            barrier.wait()
            try:
                tickets.claim(session=own, ticket_id=ticket.id, staff=member)
                winners.append(member.id)
            except HandoffConflictError as error:
                losers.append(error.code)

    threads = [threading.Thread(target=race, args=(member,)) for member in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(winners) == 1, (winners, losers)
    assert losers == ["already_claimed"] * (len(racers) - 1)
    with factory() as check:
        stored = tickets.get_ticket(session=check, ticket_id=ticket.id)
        assert stored is not None and stored.claimed_by_id == winners[0]
    engine.dispose()


def test_only_the_claimer_or_a_supervisor_ends_a_ticket(session: Session) -> None:
    staff = add_staff(session)
    ticket, _ = open_one(session, "web-endended")
    with pytest.raises(HandoffConflictError) as waiting:
        tickets.end_ticket(
            session=session, ticket_id=ticket.id, staff=staff["agent1"], status=CLOSED
        )
    assert waiting.value.code == "not_claimed"
    tickets.claim(session=session, ticket_id=ticket.id, staff=staff["agent1"])
    with pytest.raises(HandoffConflictError) as other:
        tickets.end_ticket(
            session=session, ticket_id=ticket.id, staff=staff["agent2"], status=CLOSED
        )
    assert other.value.code == "not_yours"
    ended = tickets.end_ticket(
        session=session, ticket_id=ticket.id, staff=staff["lead1"], status=HANDED_BACK,
        resume_intent="request_menu",
    )  # fmt: skip
    assert ended.status == HANDED_BACK and ended.open_conversation_id is None
    assert ended.ended_by_id == staff["lead1"].id
    # The conversation may open a new ticket later.
    again, created = open_one(session, "web-endended")
    assert created and again.id != ticket.id


def test_cancel_only_while_waiting(session: Session) -> None:
    staff = add_staff(session)
    ticket, _ = open_one(session, "web-cancelme")
    cancelled = tickets.end_ticket(
        session=session, ticket_id=ticket.id, staff=None, status=CANCELLED
    )
    assert cancelled.status == CANCELLED
    other, _ = open_one(session, "web-cancel02")
    tickets.claim(session=session, ticket_id=other.id, staff=staff["agent1"])
    with pytest.raises(HandoffConflictError) as late:
        tickets.end_ticket(session=session, ticket_id=other.id, staff=None, status=CANCELLED)
    assert late.value.code == "not_waiting"
    still = tickets.open_ticket_for(session=session, conversation_id="web-cancel02")
    assert still is not None and still.status == CLAIMED


def test_callbacks_are_recorded_replaced_and_marked_done(session: Session) -> None:
    staff = add_staff(session)
    first = callback_requests.create_callback(
        session=session, conversation_id="web-callback", channel="web", phone="13812345678",
        preferred_time="明天上午", preferred_date=dt.date(2026, 12, 1), preferred_half_day="am",
        service="marriage", reason="citizen_request",
    )  # fmt: skip
    second = callback_requests.create_callback(
        session=session, conversation_id="web-callback", channel="web", phone="0571-87001234",
        preferred_time="周一下午", preferred_date=None, preferred_half_day="pm",
        service=None, reason="citizen_request",
    )  # fmt: skip
    assert second.id == first.id and second.phone == "0571-87001234"
    assert [c.id for c in callback_requests.list_callbacks(session=session)] == [first.id]
    done = callback_requests.mark_callback_done(
        session=session, callback_id=first.id, staff=staff["agent1"]
    )
    assert done.status == "done" and done.done_by_id == staff["agent1"].id
    assert callback_requests.list_callbacks(session=session) == []
    assert len(callback_requests.list_callbacks(session=session, include_done=True)) == 1
    assert session.scalar(select(CallbackRequest.status)) == "done"
    with pytest.raises(HandoffConflictError):
        callback_requests.mark_callback_done(
            session=session, callback_id=404, staff=staff["agent1"]
        )


def test_handled_counts_and_presence(session: Session) -> None:
    staff = add_staff(session)
    for index in range(3):
        ticket, _ = open_one(session, f"web-handled{index}")
        tickets.claim(session=session, ticket_id=ticket.id, staff=staff["agent1"], now=T0)
        tickets.end_ticket(
            session=session, ticket_id=ticket.id, staff=staff["agent1"], status=CLOSED, now=T0
        )
    assert tickets.handled_counts(session=session, since=T0 - dt.timedelta(hours=1)) == {
        staff["agent1"].id: 3
    }
    assert staff_presence.staff_available(session=session, now=T0) == 0
    staff_service.touch_staff(session=session, staff_id=staff["agent2"].id, now=T0)
    assert staff_presence.staff_available(session=session, now=T0 + dt.timedelta(minutes=5)) == 1
    assert staff_presence.staff_available(session=session, now=T0 + dt.timedelta(hours=1)) == 0
    assert not staff_presence.someone_on_duty(session=session, now=T0)
    staff_presence.set_duty(
        session=session, staff_id=staff["agent2"].id, until=T0 + dt.timedelta(hours=4)
    )
    assert staff_presence.someone_on_duty(session=session, now=T0 + dt.timedelta(hours=3))
    assert not staff_presence.someone_on_duty(session=session, now=T0 + dt.timedelta(hours=5))
    assert tickets.open_counts(session=session) == {WAITING: 0, CLAIMED: 0}
