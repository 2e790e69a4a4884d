"""Shared pieces of the handoff tests: a scripted Rasa, a fixed clock, staff, the app."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any

import bcrypt
import httpx
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import make_engine
from backoffice.records.handoff.delivery import DeliveryRegistry, HubDelivery
from backoffice.records.handoff.desk import HandoffDesk
from backoffice.records.handoff.events import EventHub
from backoffice.records.handoff.policy import HandoffPolicy, OfficeHours, load_policy
from backoffice.records.handoff.rasa_control import RasaControl
from backoffice.staff.models import StaffUser
from connectors.rasa_client import RasaClient
from connectors.router import ConversationRouter

# Monday 2026-11-30 10:00 in Hangzhou (a working day, in office hours).
MONDAY_10_AM_UTC = dt.datetime(2026, 11, 30, 2, 0)
# Saturday 2026-11-28 10:00 in Hangzhou.
SATURDAY_10_AM_UTC = dt.datetime(2026, 11, 28, 2, 0)

PASSWORDS = {"agent1": "dev-agent1-pass", "agent2": "dev-agent2-pass", "lead1": "dev-lead1-pass"}
WELCOME_BACK = "您好，智能助手继续为您服务。"


@dataclass
class FakeRasa:
    """Rasa's REST channel and conversation API, scripted; records every call."""

    webhook_messages: list[dict[str, Any]] = field(default_factory=list)
    appended: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    triggered: list[tuple[str, str]] = field(default_factory=list)
    down: bool = False
    tracker_slots: dict[str, Any] = field(default_factory=dict)
    tracker_events: list[dict[str, Any]] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        path = request.url.path
        if request.url.host == "actions":
            return httpx.Response(200, json={"status": "ok"})
        if path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            self.webhook_messages.append(body)
            return httpx.Response(200, json=[{"text": f"机器人回复：{body['message']}"}])
        conversation = path.split("/")[2]
        if path.endswith("/tracker/events"):
            self.appended.append((conversation, json.loads(request.content)))
            return httpx.Response(200, json={"sender_id": conversation})
        if path.endswith("/trigger_intent"):
            intent = json.loads(request.content)["name"]
            self.triggered.append((conversation, intent))
            reply: dict[str, Any] = {"recipient_id": conversation, "text": WELCOME_BACK}
            reply["buttons"] = [{"title": "转人工", "payload": "/request_human"}]
            return httpx.Response(200, json={"tracker": {}, "messages": [reply]})
        if path.endswith("/tracker"):
            return httpx.Response(
                200,
                json={"slots": self.tracker_slots, "events": self.tracker_events},
            )
        return httpx.Response(404)

    def events_for(self, conversation: str) -> list[str]:
        return [event["event"] for cid, event in self.appended if cid == conversation]

    def texts_sent(self) -> list[str]:
        return [m["message"] for m in self.webhook_messages]


@dataclass
class Clock:
    """A settable clock (naive UTC)."""

    now: dt.datetime = MONDAY_10_AM_UTC

    def __call__(self) -> dt.datetime:
        return self.now


def weekday_policy() -> HandoffPolicy:
    """The real policy, with Monday–Friday as working days (independent of holidays)."""
    policy = load_policy()
    hours = OfficeHours(
        zone=policy.hours.zone,
        sessions=policy.hours.sessions,
        description=policy.hours.description,
        working_day=lambda day: day.weekday() < 5,
    )
    return replace(policy, hours=hours)


def add_staff(session: Session) -> dict[str, StaffUser]:
    """agent1, agent2 (agents) and lead1 (supervisor), with cheap bcrypt hashes."""
    rows = [
        ("agent1", "小王", "agent"),
        ("agent2", "小李", "agent"),
        ("lead1", "陈组长", "supervisor"),
    ]
    staff = {}
    for username, name, role in rows:
        hashed = bcrypt.hashpw(PASSWORDS[username].encode(), bcrypt.gensalt(rounds=4)).decode()
        member = StaffUser(
            username=username, display_name=name, role=role, password_hash=hashed,
            session_epoch=0, active=True,
        )  # fmt: skip
        session.add(member)
        staff[username] = member
    session.commit()
    return staff


def make_desk(database_url: str, rasa: FakeRasa, clock: Clock) -> HandoffDesk:
    """A desk on the test database with the scripted Rasa and clock."""
    hub = EventHub()
    deliveries = DeliveryRegistry()
    deliveries.register("web", HubDelivery(hub))
    return HandoffDesk(
        session_factory=sessionmaker(bind=make_engine(database_url), expire_on_commit=False),
        policy=weekday_policy(),
        rasa=RasaControl(
            rasa_url="http://rasa", timeout=5, transport=httpx.MockTransport(rasa.handler)
        ),
        deliveries=deliveries,
        hub=hub,
        clock=clock,
    )


def make_router(desk: HandoffDesk, rasa: FakeRasa) -> ConversationRouter:
    """The gateway router with the desk and the scripted Rasa."""
    client = RasaClient(
        rasa_url="http://rasa",
        action_server_url="http://actions",
        timeout=5,
        transport=httpx.MockTransport(rasa.handler),
    )
    return ConversationRouter(rasa=client, max_chars=500, handoff=desk)
