"""A fixed day of conversations and records whose figures are known (analytics and review tests).

`seed_day` writes, for one Hangzhou day: Rasa events into a tracker database (the `events` table
Rasa's SQL tracker store has) and tickets, staff replies, call-backs, feedback and unanswered
questions into a back-office database. tests/backoffice/test_analytics.py lists what every
figure must come to; the browser tests show the same day.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from backoffice.analytics.tracker import epoch, events_table
from backoffice.records.handoff.models import CallbackRequest, HandoffMessage, HandoffTicket
from backoffice.records.knowledge.models import KnowledgeFeedback, UnansweredQuestion
from backoffice.staff.models import StaffUser
from backoffice.staff.service import staff_by_username

FALLBACK_TEXT = "我的补贴怎么还没到账"
SECOND_FALLBACK_TEXT = "到底怎么回事啊"
KNOWLEDGE_TEXT = "老年卡丢了去哪补"
ABANDONED_TEXT = "我想约结婚登记"


class _Events:
    def __init__(self, day: dt.date) -> None:
        # 01:00 UTC = 09:00 in Hangzhou, the same date.
        self.base = dt.datetime.combine(day, dt.time(1, 0))
        self.rows: list[dict[str, Any]] = []

    def at(self, minutes: float) -> dt.datetime:
        return self.base + dt.timedelta(minutes=minutes)

    def add(self, cid: str, minutes: float, kind: str, **data: Any) -> None:
        self.rows.append(
            {
                "sender_id": cid,
                "type_name": kind,
                "timestamp": epoch(self.at(minutes)),
                "intent_name": data.pop("intent_name", None),
                "action_name": data.get("name") if kind == "action" else None,
                "data": json.dumps({"event": kind, **data}, ensure_ascii=False),
            }
        )

    def user(self, cid: str, minutes: float, text: str, intent: str) -> None:
        self.add(
            cid,
            minutes,
            "user",
            intent_name=intent,
            text=text,
            parse_data={"intent": {"name": intent, "confidence": 0.9}},
        )


def _staff(session: Session, username: str, name: str) -> StaffUser:
    staff = staff_by_username(session=session, username=username)
    if staff is None:
        staff = StaffUser(username=username, display_name=name, password_hash="-", role="agent")
        session.add(staff)
        session.flush()
    return staff


def seed_day(session: Session, tracker: Engine, day: dt.date) -> None:
    """Write the fixed day (see the module docstring) into both databases."""
    ev = _Events(day)
    # 1. web-a: a marriage booking made. 6. web-a again two hours later: a new session.
    ev.user("web-a", 0, "你好", "greet")
    ev.add("web-a", 1, "active_loop", name="marriage_form")
    ev.add("web-a", 5, "slot", name="marriage_reference", value="MZ-20261110-0001")
    ev.add("web-a", 5, "active_loop", name=None)
    ev.user("web-a", 120, "你好", "greet")
    ev.user("web-a", 121, "/affirm", "affirm")
    # 2. web-b: a marriage booking left inside the form.
    ev.user("web-b", 10, ABANDONED_TEXT, "request_marriage_booking")
    ev.add("web-b", 10.5, "active_loop", name="marriage_form")
    # 3. wechat-c: a knowledge answer, rated not helpful.
    ev.user("wechat-c", 20, KNOWLEDGE_TEXT, "ask_knowledge")
    ev.add("wechat-c", 20.1, "slot", name="knowledge_article", value="marriage-annulment")
    ev.add("wechat-c", 20.2, "bot", text="……", metadata={"utter_action": "utter_knowledge_answer"})
    # 4. web-d: two fallbacks, then a person.
    ev.user("web-d", 30, FALLBACK_TEXT, "nlu_fallback")
    ev.add("web-d", 30.1, "action", name="action_handle_fallback")
    ev.user("web-d", 31, SECOND_FALLBACK_TEXT, "nlu_fallback")
    ev.add("web-d", 31.1, "action", name="action_handle_fallback")
    ev.user("web-d", 32, "转人工", "request_human")
    ev.add("web-d", 32.1, "action", name="action_start_handoff")
    # 5. telegram-e: asks for a call-back.
    ev.user("telegram-e", 40, "请给我回电话", "request_callback")
    # 8. web-h: a pre-screen result.
    ev.user("web-h", 50, "帮我看看能不能低保", "request_prescreen")
    ev.add("web-h", 50.5, "active_loop", name="prescreen_form")
    ev.add("web-h", 55, "slot", name="prescreen_reference", value="YS-1")
    ev.add("web-h", 55, "active_loop", name=None)
    events = events_table()
    events.metadata.create_all(tracker)
    with tracker.begin() as connection:
        connection.execute(insert(events), ev.rows)

    agent1, agent2 = _staff(session, "fx_agent1", "甲"), _staff(session, "fx_agent2", "乙")
    d_ticket = HandoffTicket(
        conversation_id="web-d",
        channel="web",
        sender="d",
        reason="bot_failed",
        status="closed",
        claimed_by_id=agent1.id,
        created_at=ev.at(32.2),
        claimed_at=ev.at(33),
        ended_at=ev.at(32.2 + 10),
    )
    # 7. web-g: crisis words, stopped before Rasa: a ticket without events.
    g_ticket = HandoffTicket(
        conversation_id="web-g",
        channel="web",
        sender="g",
        reason="crisis",
        urgency="urgent",
        status="claimed",
        claimed_by_id=agent2.id,
        created_at=ev.at(60),
        claimed_at=ev.at(60.5),
    )
    session.add_all([d_ticket, g_ticket])
    session.flush()
    for ticket, agent, seconds in ((d_ticket, agent1, 120), (g_ticket, agent2, 60)):
        session.add(
            HandoffMessage(
                ticket_id=ticket.id,
                conversation_id=ticket.conversation_id,
                kind="staff",
                text="您好",
                staff_id=agent.id,
                created_at=ticket.created_at + dt.timedelta(seconds=seconds),
            )
        )
        session.add(
            HandoffMessage(
                ticket_id=ticket.id,
                conversation_id=ticket.conversation_id,
                kind="staff",
                text="还在吗",
                staff_id=agent.id,
                created_at=ticket.created_at + dt.timedelta(seconds=seconds + 100),
            )
        )
    # 5. on time (the next morning, done the evening before); 9. telegram-i: no date, late.
    session.add(
        CallbackRequest(
            conversation_id="telegram-e",
            channel="telegram",
            phone="13800000000",
            preferred_time="明天上午",
            preferred_date=day + dt.timedelta(days=1),
            preferred_half_day="am",
            reason="citizen_request",
            status="done",
            created_at=ev.at(40.5),
            done_at=ev.at(40.5 + 600),
        )
    )
    session.add(
        CallbackRequest(
            conversation_id="telegram-i",
            channel="telegram",
            phone="13900000000",
            preferred_time="尽快",
            reason="citizen_request",
            status="done",
            created_at=ev.at(70),
            done_at=ev.at(70 + 30 * 60),
        )
    )
    session.add(
        KnowledgeFeedback(
            conversation_id="wechat-c",
            article_id="marriage-annulment",
            helpful=False,
            created_at=ev.at(21).replace(tzinfo=dt.UTC),
        )
    )
    session.add(
        KnowledgeFeedback(
            conversation_id="web-a",
            article_id="marriage-booking",
            helpful=True,
            created_at=ev.at(6).replace(tzinfo=dt.UTC),
        )
    )
    for minutes, question in (
        (30, "老年卡在哪里办"),
        (80, "老年卡在哪里办？"),
        (81, "老年卡在哪里办理"),
        (82, "殡葬补贴有多少"),
    ):
        session.add(
            UnansweredQuestion(
                conversation_id="web-d",
                question=question,
                created_at=ev.at(minutes).replace(tzinfo=dt.UTC),
            )
        )
    session.commit()
