"""转人工 end to end: a citizen chats through the web endpoint, a staff member claims, replies and
hands back through the API; meanwhile nothing the citizen says reaches Rasa's policies.

Staff switch on extra duty first, so the desk takes conversations whatever the day and hour.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from testkit.chat import new_sender, say, texts
from testkit.stack import LiveStack

pytestmark = pytest.mark.e2e

AGENT = {"username": "agent1", "password": "dev-agent1-pass"}
SUPERVISOR = {"username": "lead1", "password": "dev-lead1-pass"}


def tracker(stack: LiveStack, sender: str) -> dict[str, Any]:
    response = httpx.get(
        f"{stack.rasa_url}/conversations/web-{sender}/tracker",
        params={"token": stack.production_secrets["RASA_TOKEN"]},
        timeout=10,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def user_texts(stack: LiveStack, sender: str) -> list[str]:
    return [e.get("text") for e in tracker(stack, sender)["events"] if e["event"] == "user"]


class CitizenEvents:
    """The web chat's event stream, read in a background thread."""

    def __init__(self, stack: LiveStack, sender: str) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._url = f"{stack.web_url}/api/chat/{sender}/events"
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self._connected.wait(10), "the event stream did not open"

    def _read(self) -> None:
        with httpx.stream("GET", self._url, timeout=httpx.Timeout(5, read=None)) as response:
            assert response.status_code == 200
            self._connected.set()
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith("data: "):
                    self.events.put(json.loads(line.removeprefix("data: ")))

    def next(self, timeout: float = 15) -> dict[str, Any]:
        return self.events.get(timeout=timeout)

    def close(self) -> None:
        self._stop.set()


@pytest.fixture(scope="module")
def staff(live_stack: LiveStack) -> Iterator[httpx.Client]:
    client = httpx.Client(base_url=live_stack.web_url, timeout=30)
    response = client.post("/api/handoff/login", json=AGENT)
    assert response.status_code == 200, response.text
    assert client.post("/api/handoff/duty", json={"on": True}).status_code == 200
    yield client
    client.post("/api/handoff/duty", json={"on": False})
    client.close()


def ticket_of(staff: httpx.Client, sender: str) -> dict[str, Any]:
    queue_now = staff.get("/api/handoff/queue").json()["tickets"]
    found = [t for t in queue_now if t["conversation_id"] == f"web-{sender}"]
    assert len(found) == 1, queue_now
    ticket: dict[str, Any] = found[0]
    return ticket


def test_request_claim_reply_hand_back(live_stack: LiveStack, staff: httpx.Client) -> None:
    sender = new_sender("e2e-handoff")
    assert "智能助手" in texts(say(live_stack, sender, "你好"))
    events = CitizenEvents(live_stack, sender)
    try:
        asked = say(live_stack, sender, "转人工")
        assert "排在第" in texts(asked), asked
        assert "不等了" in [b["title"] for m in asked["messages"] for b in m.get("buttons", [])]

        waiting = say(live_stack, sender, "我想问问低保怎么申请，身份证330106199001011234")
        assert waiting["messages"] == [], "the bot must stay silent while a person owns the chat"
        assert tracker(live_stack, sender)["paused"] is True
        assert "我想问问低保怎么申请" not in " ".join(map(str, user_texts(live_stack, sender)))

        ticket = ticket_of(staff, sender)
        assert ticket["status"] == "waiting" and ticket["reason"] == "citizen_request"
        claimed = staff.post(f"/api/handoff/tickets/{ticket['id']}/claim")
        assert claimed.status_code == 200, claimed.text
        joined = events.next()
        assert joined["type"] == "status" and "小王" in joined["text"]

        view = staff.get(f"/api/handoff/tickets/{ticket['id']}").json()
        transcript = [(m["kind"], m["text"]) for m in view["messages"]]
        assert ("citizen", "转人工") in transcript
        assert any("3301**********1234" in t for k, t in transcript if k == "citizen")
        assert not any("330106199001011234" in t for _, t in transcript)

        reply = staff.post(
            f"/api/handoff/tickets/{ticket['id']}/reply",
            json={"text": "您好，我是小王，低保可以在线预审。"},
        )
        assert reply.status_code == 200, reply.text
        pushed = events.next()
        assert pushed["from"] == "staff" and pushed["staff_name"] == "小王"
        assert pushed["text"] == "您好，我是小王，低保可以在线预审。"

        assert say(live_stack, sender, "好的，谢谢")["messages"] == []
        assert "好的，谢谢" not in user_texts(live_stack, sender)

        back = staff.post(f"/api/handoff/tickets/{ticket['id']}/hand-back", json={})
        assert back.status_code == 200, back.text
        assert events.next()["type"] == "status"
        greeting = events.next()
        assert greeting["from"] == "bot" and "智能助手继续为您服务" in greeting["text"]
    finally:
        events.close()

    assert tracker(live_stack, sender)["paused"] is False
    again = say(live_stack, sender, "你好")
    assert "智能助手" in texts(again)

    engine = create_engine(live_stack.database_url)
    with engine.connect() as db:
        status = db.execute(
            text("SELECT status FROM handoff_tickets WHERE conversation_id = :c"),
            {"c": f"web-{sender}"},
        ).scalar_one()
        kinds = (
            db.execute(
                text(
                    "SELECT m.kind FROM handoff_messages m"
                    " JOIN handoff_tickets t ON t.id = m.ticket_id"
                    " WHERE t.conversation_id = :c ORDER BY m.id"
                ),
                {"c": f"web-{sender}"},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert status == "handed_back"
    assert {"citizen", "bot", "staff", "status"} <= set(kinds)


def test_citizen_cancels_waiting(live_stack: LiveStack, staff: httpx.Client) -> None:
    sender = new_sender("e2e-handoff")
    assert "排在第" in texts(say(live_stack, sender, "我要找人工客服"))
    cancelled = say(live_stack, sender, "/cancel_handoff")
    assert "已为您取消人工排队" in texts(cancelled)
    assert "智能助手继续为您服务" in texts(cancelled)
    assert tracker(live_stack, sender)["paused"] is False
    assert "智能助手" in texts(say(live_stack, sender, "你好"))


def test_crisis_words_get_emergency_numbers_and_an_urgent_ticket(
    live_stack: LiveStack, staff: httpx.Client
) -> None:
    sender = new_sender("e2e-handoff")
    say(live_stack, sender, "你好")
    reply = say(live_stack, sender, "我真的不想活了")
    body = texts(reply)
    assert "110" in body and "120" in body and "12356" in body
    ticket = ticket_of(staff, sender)
    assert ticket["urgency"] == "urgent" and ticket["reason"] == "crisis"
    assert staff.get("/api/handoff/queue").json()["tickets"][0]["urgency"] == "urgent"
    assert "我真的不想活了" not in user_texts(live_stack, sender)
    # A supervisor may close a waiting ticket; the bot answers again afterwards.
    lead = httpx.Client(base_url=live_stack.web_url, timeout=30)
    assert lead.post("/api/handoff/login", json=SUPERVISOR).status_code == 200
    assert lead.post(f"/api/handoff/tickets/{ticket['id']}/close").status_code == 200
    lead.close()
    assert "智能助手" in texts(say(live_stack, sender, "你好"))


def test_staff_api_refuses_without_login(live_stack: LiveStack) -> None:
    response = httpx.get(f"{live_stack.web_url}/api/handoff/queue")
    assert response.status_code == 401
    page = httpx.get(f"{live_stack.web_url}/console", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/console/login"
