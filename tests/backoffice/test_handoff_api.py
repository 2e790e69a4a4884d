"""The handoff HTTP API and console pages: login, auth on every route, the staff flow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backoffice.console.routes import router as console_router
from backoffice.records.handoff import message_store
from core.settings import Settings
from tests.backoffice.handoff_support import (
    PASSWORDS,
    SATURDAY_10_AM_UTC,
    Clock,
    FakeRasa,
    add_staff,
    make_desk,
    make_router,
)
from tests.service_token import SERVICE_HEADERS
from web.main import create_app

SENDER = "citizen-api-01"
CID = f"web-{SENDER}"
# Routes that need no staff login: the citizen's and the action server's side, and the login.
PUBLIC_PREFIXES = ("/api/handoff/bot/", "/api/chat")
PUBLIC_PATHS = {"/api/handoff/login", "/console/login"}


@dataclass
class Harness:
    client: TestClient
    rasa: FakeRasa
    clock: Clock


@pytest.fixture
def harness(database_url: str, session: Session) -> Iterator[Harness]:
    add_staff(session)
    settings = Settings(
        database_url=database_url, rasa_url="http://rasa", action_server_url="http://actions"
    )
    app = create_app(settings)
    rasa, clock = FakeRasa(), Clock()
    with TestClient(app, headers=SERVICE_HEADERS) as client:
        desk = make_desk(database_url, rasa, clock)
        app.state.handoff_desk = desk
        app.state.staff_sessions = desk.session_factory
        app.state.conversation_router = make_router(desk, rasa)
        yield Harness(client=client, rasa=rasa, clock=clock)


def login(client: TestClient, username: str) -> None:
    response = client.post(
        "/api/handoff/login", json={"username": username, "password": PASSWORDS[username]}
    )
    assert response.status_code == 200, response.text


def ask_for_person(client: TestClient, cid: str = CID) -> dict[str, Any]:
    response = client.post(
        "/api/handoff/bot/tickets",
        json={
            "conversation_id": cid,
            "reason": "citizen_request",
            "service": "marriage",
            "slots": {"groom_id_number": "330106199001011234", "district": "西湖区"},
            "active_form": "marriage_form",
            "transcript": [
                {"kind": "citizen", "text": "我想预约结婚登记"},
                {"kind": "bot", "text": "好的，请问您在哪个区？"},
                {"kind": "citizen", "text": "转人工"},
            ],
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def staff_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every handoff API route in the schema and every console page, except the public ones."""
    found = [
        (method.upper(), path)
        for path, operations in client.get("/openapi.json").json()["paths"].items()
        if path.startswith("/api/handoff")
        for method in operations
    ]
    found += [
        (method, route.path)
        for route in console_router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    ]
    return [
        (method, path.replace("{ticket_id}", "1").replace("{callback_id}", "1"))
        for method, path in found
        if path not in PUBLIC_PATHS and not path.startswith(PUBLIC_PREFIXES)
    ]


def test_every_staff_page_and_api_refuses_without_login(harness: Harness) -> None:
    routes = staff_routes(harness.client)
    assert len(routes) >= 18, routes  # the check must not pass by finding nothing
    for method, path in routes:
        response = harness.client.request(method, path, json={}, follow_redirects=False)
        if path.startswith("/console"):
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"] == "/console/login"
        else:
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["error"]["message"] == "请先登录工作台。"


def test_login_logout_and_wrong_password(harness: Harness) -> None:
    client = harness.client
    bad = client.post("/api/handoff/login", json={"username": "agent1", "password": "wrong"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "bad_login"
    unknown = client.post("/api/handoff/login", json={"username": "nobody", "password": "x"})
    assert unknown.status_code == 401
    login(client, "agent1")
    cookie = client.cookies.get("mz_staff_session")
    assert cookie and "agent1" not in cookie
    assert client.get("/api/handoff/me").json()["display_name"] == "小王"
    assert client.post("/api/handoff/logout").status_code == 204
    assert client.get("/api/handoff/me").status_code == 401
    # A copy of the old cookie no longer works either (the session epoch moved on).
    client.cookies.set("mz_staff_session", cookie)
    assert client.get("/api/handoff/me").status_code == 401


def test_console_login_form_and_pages(harness: Harness) -> None:
    client = harness.client
    assert "工作台登录" in client.get("/console/login").text
    wrong = client.post("/console/login", data={"username": "agent1", "password": "nope"})
    assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
    ok = client.post(
        "/console/login", data={"username": "agent1", "password": PASSWORDS["agent1"]},
        follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303 and ok.headers["location"] == "/console"
    desk_page = client.get("/console")
    assert desk_page.status_code == 200 and "排队中的市民" in desk_page.text
    assert client.get("/console/callbacks").status_code == 200
    assert client.get("/console/supervisor").status_code == 403
    assert client.get("/api/handoff/overview").status_code == 403


def test_staff_flow_claim_reply_note_hand_back(harness: Harness) -> None:
    client, rasa = harness.client, harness.rasa
    outcome = ask_for_person(client)
    assert (
        outcome["outcome"] == "queued" and outcome["position"] == 1 and outcome["wait_minutes"] >= 1
    )
    # The citizen writes while waiting: the message goes to the ticket, not to Rasa.
    chat = client.post("/api/chat", json={"sender": SENDER, "message": "有人吗"})
    assert chat.status_code == 200 and chat.json()["messages"] == []
    assert "第 1 位" in chat.json()["notices"][0]
    assert rasa.texts_sent() == []

    login(client, "agent1")
    queue = client.get("/api/handoff/queue").json()
    assert queue["tickets"][0]["service"] == "marriage" and queue["tickets"][0]["position"] == 1
    ticket_id = queue["tickets"][0]["id"]
    assert (
        client.post(f"/api/handoff/tickets/{ticket_id}/reply", json={"text": "早"}).status_code
        == 409
    )
    claimed = client.post(f"/api/handoff/tickets/{ticket_id}/claim")
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "小王"
    again = client.post(f"/api/handoff/tickets/{ticket_id}/claim")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_claimed"

    view = client.get(f"/api/handoff/tickets/{ticket_id}").json()
    assert view["summary"]["slots"]["groom_id_number"] == "3301**********1234"
    assert view["summary"]["active_form"] == "marriage_form"
    kinds = [(m["kind"], m["text"]) for m in view["messages"]]
    assert kinds[:4] == [
        ("citizen", "我想预约结婚登记"), ("bot", "好的，请问您在哪个区？"),
        ("citizen", "转人工"), ("citizen", "有人吗"),
    ]  # fmt: skip
    assert view["messages"][4]["kind"] == "status"  # "小王 已接入" for the citizen

    reply = client.post(
        f"/api/handoff/tickets/{ticket_id}/reply", json={"text": "您好，我来帮您预约。"}
    )
    assert reply.status_code == 200 and reply.json()["staff_name"] == "小王"
    note = client.post(f"/api/handoff/tickets/{ticket_id}/notes", json={"text": "市民要西湖区周三"})
    assert note.status_code == 200 and note.json()["kind"] == "note"
    too_long = client.post(f"/api/handoff/tickets/{ticket_id}/reply", json={"text": "长" * 3000})
    assert too_long.status_code == 422

    back = client.post(
        f"/api/handoff/tickets/{ticket_id}/hand-back", json={"resume_intent": "request_menu"}
    )
    assert back.status_code == 200 and back.json()["status"] == "handed_back"
    assert rasa.triggered == [(CID, "request_menu")]
    assert rasa.events_for(CID) == ["pause", "resume"]
    # The bot owns the conversation again.
    client.post("/api/chat", json={"sender": SENDER, "message": "谢谢"})
    assert rasa.texts_sent() == ["谢谢"]

    # The citizen's outbox (what the web chat's event stream sends) has the staff reply.
    desk = harness.client.app.state.handoff_desk  # type: ignore[attr-defined]
    with desk.session_factory() as db:
        pushed = message_store.citizen_outbox(session=db, conversation_id=CID, after_id=0)
    assert [m.kind for m in pushed] == ["status", "staff", "status", "bot"]
    assert all(m.kind != "note" for m in pushed)


def test_other_agent_cannot_act_but_supervisor_can(harness: Harness) -> None:
    client = harness.client
    ticket_id = ask_for_person(client)["ticket_id"]
    login(client, "agent1")
    client.post(f"/api/handoff/tickets/{ticket_id}/claim")
    login(client, "agent2")
    refused = client.post(f"/api/handoff/tickets/{ticket_id}/close")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_yours"
    login(client, "lead1")
    overview = client.get("/api/handoff/overview").json()
    assert overview["claimed"] == 1 and overview["waiting"] == 0
    closed = client.post(f"/api/handoff/tickets/{ticket_id}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    overview = client.get("/api/handoff/overview").json()
    handled = {row["username"]: row["handled_today"] for row in overview["staff"]}
    assert handled == {"agent1": 0, "agent2": 0, "lead1": 1}
    assert "值班长总览" in client.get("/console/supervisor").text


def test_hand_back_with_rasa_down_keeps_the_ticket(harness: Harness) -> None:
    client = harness.client
    ticket_id = ask_for_person(client)["ticket_id"]
    login(client, "agent1")
    client.post(f"/api/handoff/tickets/{ticket_id}/claim")
    harness.rasa.down = True
    failed = client.post(f"/api/handoff/tickets/{ticket_id}/hand-back", json={})
    assert failed.status_code == 503 and failed.json()["error"]["code"] == "assistant_unavailable"
    harness.rasa.down = False
    assert client.get(f"/api/handoff/tickets/{ticket_id}").json()["ticket"]["status"] == "claimed"
    unknown = client.post(
        f"/api/handoff/tickets/{ticket_id}/hand-back", json={"resume_intent": "nlu_fallback"}
    )
    assert unknown.status_code == 422


def test_outside_hours_and_callbacks(harness: Harness) -> None:
    client = harness.client
    harness.clock.now = SATURDAY_10_AM_UTC
    availability = client.get("/api/handoff/bot/availability").json()
    assert availability["open"] is False and availability["next_opening_text"] == "11月30日 08:30"
    assert ask_for_person(client)["outcome"] == "outside_hours"
    bad = client.post(
        "/api/handoff/bot/callbacks",
        json={"conversation_id": CID, "phone": "12345", "preferred_time": "明天上午"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_phone"
    ok = client.post(
        "/api/handoff/bot/callbacks",
        json={
            "conversation_id": CID,
            "phone": "138 1234 5678",
            "preferred_time": "下周一上午",
            "service": "marriage",
        },
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["phone_masked"] == "138****5678"
    login(client, "agent1")
    rows = client.get("/api/handoff/callbacks").json()
    assert len(rows) == 1 and rows[0]["phone"] == "13812345678"
    assert rows[0]["preferred_date"] == "2026-11-30" and rows[0]["preferred_half_day"] == "am"
    page = client.get("/console/callbacks").text
    assert "13812345678" in page and "下周一上午" in page
    assert client.post(f"/api/handoff/callbacks/{rows[0]['id']}/done").json()["status"] == "done"
    assert client.get("/api/handoff/callbacks").json() == []
    # Extra duty outside office hours opens the desk.
    assert client.post("/api/handoff/duty", json={"on": True}).json()["on_duty_until"]
    assert ask_for_person(client, "web-on-duty-1")["outcome"] == "queued"


@pytest.mark.parametrize(
    ("utc_now", "day"),
    [
        (dt.datetime(2026, 11, 28, 2, 0), "2026-11-29"),  # Saturday 10:00 in Hangzhou
        (dt.datetime(2026, 11, 28, 17, 0), "2026-11-30"),  # already Sunday 01:00 in Hangzhou
    ],
)
def test_a_callback_time_in_words_is_stored_as_a_date_and_half_day(
    harness: Harness, utc_now: dt.datetime, day: str
) -> None:
    harness.clock.now = utc_now
    for said, half_day in (("明天上午", "am"), ("明天下午", "pm")):
        body = {"conversation_id": CID, "phone": "13812345678", "preferred_time": said}
        assert harness.client.post("/api/handoff/bot/callbacks", json=body).status_code == 200
        login(harness.client, "agent1")
        [row] = harness.client.get("/api/handoff/callbacks").json()
        assert (row["preferred_time"], row["preferred_date"], row["preferred_half_day"]) == (
            said, day, half_day,
        )  # fmt: skip


def test_bot_api_validates_input(harness: Harness) -> None:
    client = harness.client
    bad_id = client.post(
        "/api/handoff/bot/tickets", json={"conversation_id": "x", "reason": "citizen_request"}
    )
    assert bad_id.status_code == 422
    bad_reason = client.post(
        "/api/handoff/bot/tickets", json={"conversation_id": CID, "reason": "DROP TABLE"}
    )
    assert bad_reason.status_code == 422


def test_chat_events_endpoint_validates_the_sender(harness: Harness) -> None:
    assert harness.client.get("/api/chat/bad!/events").status_code in (404, 422)
