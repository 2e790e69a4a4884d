"""Demo data: four weeks of invented conversations, tickets and feedback, kept apart from real ones.

The demo lives in its own in-memory SQLite database (Rasa's `events` table and the back-office
tables analytics reads), built on first use from a fixed seed and today's date. Real records and
Rasa's tracker are never written to, so demo figures cannot leak into real ones; the page shows
them only with the 演示数据 toggle on (and says so in a banner). Every demo conversation id also
starts with `<channel>-demo`, so a demo row is recognisable wherever it is printed.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, insert
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from backoffice.analytics.tracker import epoch, events_table
from backoffice.db import Base
from backoffice.records.handoff.models import CallbackRequest, HandoffMessage, HandoffTicket
from backoffice.records.knowledge.models import KnowledgeFeedback, UnansweredQuestion
from backoffice.staff.models import StaffUser
from zhtext.city_time import city_today

DAYS = 28
SEED = 23
CHANNELS = ("web", "web", "web", "wechat", "wechat", "telegram")
# (scenario, weight): what a demo conversation does.
SCENARIOS = (
    ("marriage_done", 6),
    ("marriage_abandoned", 2),
    ("prescreen_done", 3),
    ("eldercare_done", 2),
    ("eldercare_abandoned", 1),
    ("donation_done", 2),
    ("knowledge_helpful", 6),
    ("knowledge_not_helpful", 2),
    ("fallback_handoff", 2),
    ("request_handoff", 2),
    ("callback", 2),
    ("chitchat", 2),
)
QUESTIONS = (
    "独生子女父母奖励怎么领",
    "独生子女奖励怎么领取",
    "老年卡在哪里办",
    "老年卡去哪里办理呢",
    "殡葬补贴有多少",
    "社区食堂几点开门",
)
STAFF = (("demo_agent1", "演示客服甲"), ("demo_agent2", "演示客服乙"))


@dataclass(frozen=True)
class DemoStores:
    """The demo's back-office sessions and its tracker engine."""

    sessions: sessionmaker[Session]
    tracker: Engine


@lru_cache(maxsize=1)
def _stores_for(today: dt.date) -> DemoStores:
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    tables = [
        model.__table__
        for model in (
            StaffUser,
            HandoffTicket,
            HandoffMessage,
            CallbackRequest,
            KnowledgeFeedback,
            UnansweredQuestion,
        )
    ]
    Base.metadata.create_all(engine, tables=tables)  # type: ignore[arg-type]
    events = events_table()
    events.metadata.create_all(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        _fill(session, engine, today)
    return DemoStores(sessions=factory, tracker=engine)


def demo_stores() -> DemoStores:
    """The demo stores of today (rebuilt once a day, so the last weeks always have data)."""
    return _stores_for(city_today())


def _fill(session: Session, engine: Engine, today: dt.date) -> None:
    rng = random.Random(SEED)
    agents = [StaffUser(username=u, display_name=n, password_hash="-") for u, n in STAFF]
    session.add_all(agents)
    session.flush()
    rows: list[dict[str, Any]] = []
    names = [name for name, _ in SCENARIOS]
    weights = [weight for _, weight in SCENARIOS]
    number = 0
    for back in range(DAYS, -1, -1):
        day = today - dt.timedelta(days=back)
        for _ in range(rng.randint(12, 30)):
            number += 1
            channel = rng.choice(CHANNELS)
            cid = f"{channel}-demo{number:05d}"
            # 08:00-20:00 Hangzhou = 00:00-12:00 UTC
            start = dt.datetime.combine(day, dt.time(0)) + dt.timedelta(minutes=rng.randint(0, 719))
            if start > dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1):
                continue
            scenario = rng.choices(names, weights)[0]
            _conversation(session, rows, rng, agents, cid, channel, start, scenario)
    session.commit()
    with engine.begin() as connection:
        connection.execute(insert(events_table()), rows)


def _conversation(
    session: Session,
    rows: list[dict[str, Any]],
    rng: random.Random,
    agents: list[StaffUser],
    cid: str,
    channel: str,
    start: dt.datetime,
    scenario: str,
) -> None:
    clock = [start]

    def event(kind: str, **data: Any) -> None:
        clock[0] += dt.timedelta(seconds=rng.randint(5, 40))
        rows.append(
            {
                "sender_id": cid,
                "type_name": kind,
                "timestamp": epoch(clock[0]),
                "intent_name": data.get("intent"),
                "action_name": data.get("action"),
                "data": json.dumps({"event": kind, **data.get("payload", {})}, ensure_ascii=False),
            }
        )

    def user(text: str, intent: str) -> None:
        payload = {"text": text, "parse_data": {"intent": {"name": intent}}}
        event("user", intent=intent, payload=payload)

    def form(name: str | None) -> None:
        event("active_loop", payload={"name": name})

    def slot(name: str, value: str) -> None:
        event("slot", payload={"name": name, "value": value})

    user("你好", "greet")
    kind = scenario.split("_")[0]
    if kind in ("marriage", "prescreen", "eldercare", "donation"):
        forms = {"marriage": "marriage_form", "prescreen": "prescreen_form"}
        forms |= {"eldercare": "eldercare_visit_form", "donation": "donation_form"}
        slots = {"marriage": "marriage_reference", "prescreen": "prescreen_reference"}
        slots |= {"eldercare": "eldercare_visit_reference", "donation": "donation_pledge_made"}
        user("我想办理（演示）", f"request_{kind}")
        form(forms[kind])
        if scenario.endswith("_done"):
            slot(slots[kind], f"DEMO-{cid[-5:]}")
            form(None)
    elif kind == "knowledge":
        user(rng.choice(QUESTIONS[::2]), "ask_knowledge")
        event("bot", payload={"metadata": {"utter_action": "utter_knowledge_answer"}})
        helpful = scenario == "knowledge_helpful"
        session.add(
            KnowledgeFeedback(
                conversation_id=cid,
                article_id=rng.choice(("eldercare-card", "funeral-subsidy", "one-child-award")),
                helpful=helpful,
                created_at=clock[0] + dt.timedelta(seconds=30),
            )
        )
    elif scenario == "callback":
        session.add(
            CallbackRequest(
                conversation_id=cid,
                channel=channel,
                phone="138****0000",
                preferred_time="明天上午",
                preferred_date=(clock[0] + dt.timedelta(days=1)).date(),
                preferred_half_day="am",
                reason="citizen_request",
                created_at=clock[0],
                done_at=clock[0] + dt.timedelta(hours=rng.choice((14, 20, 40))),
                status="done",
            )
        )
    elif scenario in ("fallback_handoff", "request_handoff"):
        if scenario == "fallback_handoff":
            question = rng.choice(QUESTIONS)
            user(question, "nlu_fallback")
            event("action", action="action_handle_fallback", payload={"name": "x"})
            session.add(
                UnansweredQuestion(conversation_id=cid, question=question, created_at=clock[0])
            )
        user("转人工", "request_human")
        _ticket(session, rng, agents, cid, channel, clock[0], scenario)
    else:
        user("今天天气怎么样", "out_of_scope")


def _ticket(
    session: Session,
    rng: random.Random,
    agents: list[StaffUser],
    cid: str,
    channel: str,
    at: dt.datetime,
    scenario: str,
) -> None:
    agent = rng.choice(agents)
    reply = at + dt.timedelta(seconds=rng.randint(20, 400))
    ended = reply + dt.timedelta(seconds=rng.randint(120, 1500))
    reason = (
        "bot_failed"
        if scenario == "fallback_handoff"
        else rng.choice(("citizen_request", "citizen_request", "service_needs_human", "crisis"))
    )
    ticket = HandoffTicket(
        conversation_id=cid,
        channel=channel,
        sender=cid.split("-", 1)[1],
        reason=reason,
        status="closed",
        claimed_by_id=agent.id,
        created_at=at,
        claimed_at=reply,
        ended_at=ended,
        ended_by_id=agent.id,
    )
    session.add(ticket)
    session.flush()
    session.add(
        HandoffMessage(
            ticket_id=ticket.id,
            conversation_id=cid,
            kind="staff",
            text="您好，我是演示客服。",
            staff_id=agent.id,
            created_at=reply,
        )
    )
