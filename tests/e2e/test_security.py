"""Secure by default, checked against the running embedded stack (issue 20)."""

from __future__ import annotations

import datetime as dt
import re
import time

import httpx
import pytest

from backoffice.login_throttle import FREE_ATTEMPTS
from testkit.chat import buttons, new_sender, say, texts, tracker_rows
from testkit.stack import LiveStack
from zhtext.city_time import city_today
from zhtext.idcard import normalise_id_number

REFERENCE = re.compile(r"HY-\d{8}-\d{4}")

pytestmark = pytest.mark.e2e

RECORDS_ROUTES = [
    ("POST", "/api/marriage/bookings"),
    ("POST", "/api/marriage/bookings/lookup"),
    ("POST", "/api/donation/pledges"),
    ("POST", "/api/donation/pledges/lookup"),
    ("POST", "/api/eldercare/visits"),
    ("POST", "/api/eldercare/visits/YL-0000/lookup"),
    ("POST", "/api/handoff/bot/tickets"),
    ("GET", "/api/handoff/bot/availability"),
    ("POST", "/api/prescreen/applications/lookup"),
    ("GET", "/api/districts"),
    ("POST", "/api/knowledge/unanswered"),
]


@pytest.mark.parametrize(("method", "path"), RECORDS_ROUTES)
def test_records_routes_refuse_calls_without_the_service_token(
    live_stack: LiveStack, method: str, path: str
) -> None:
    url = live_stack.web_url + path
    for headers in ({}, {"Authorization": "Bearer wrong-token"}):
        response = httpx.request(method, url, json={}, headers=headers, timeout=10)
        assert response.status_code == 401, (path, response.text)
        assert "服务令牌" in response.json()["error"]["message"]
    allowed = httpx.request(
        method,
        url,
        json={},
        headers={"Authorization": f"Bearer {live_stack.service_token}"},
        timeout=10,
    )
    assert allowed.status_code != 401, "the action server's token opens the route"


BAD_BODIES = {
    "nested 1000 deep": b'{"sender":"abcdefgh","message":"hi","x":'
    + b"[" * 1000
    + b"]" * 1000
    + b"}",
    "invalid UTF-8": b'{"sender":"abcdefgh","message":"\xff\xfe"}',
    "not JSON": b'{"sender": ',
    "wrong types": b'{"sender": [1], "message": {"a": null}}',
}


@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
@pytest.mark.parametrize(
    "path", ["/api/chat", "/api/handoff/login", "/api/marriage/bookings", "/api/donation/pledges"]
)
def test_bad_bodies_answer_4xx_chinese_json(live_stack: LiveStack, path: str, kind: str) -> None:
    response = httpx.post(
        live_stack.web_url + path,
        content=BAD_BODIES[kind],
        headers={
            "content-type": "application/json",
            "Authorization": f"Bearer {live_stack.service_token}",
        },
        timeout=10,
    )
    assert 400 <= response.status_code < 500, (path, kind, response.text[:200])
    error = response.json()["error"]
    assert error["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_a_cross_origin_preflight_is_refused_in_chinese_json(live_stack: LiveStack) -> None:
    response = httpx.options(
        live_stack.web_url + "/api/chat",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cors_refused"


def test_logins_are_throttled_with_a_growing_wait(live_stack: LiveStack) -> None:
    url = live_stack.web_url + "/api/handoff/login"
    right = {"username": "agent2", "password": "dev-agent2-pass"}
    wrong = {"username": "agent2", "password": "not-the-password"}
    codes = [httpx.post(url, json=wrong, timeout=30).status_code for _ in range(FREE_ATTEMPTS)]
    assert codes == [401] * FREE_ATTEMPTS
    refused = httpx.post(url, json=right, timeout=30)
    assert refused.status_code == 429, "the right password waits too"
    assert "秒后再试" in refused.json()["error"]["message"]
    wait = int(refused.headers["Retry-After"])
    assert wait > 0
    time.sleep(wait)
    assert httpx.post(url, json=right, timeout=30).status_code == 200


def test_a_cross_origin_staff_post_is_refused(live_stack: LiveStack) -> None:
    with httpx.Client(base_url=live_stack.web_url, timeout=30) as staff:
        login = {"username": "lead1", "password": "dev-lead1-pass"}
        assert staff.post("/api/handoff/login", json=login).status_code == 200
        evil = staff.post(
            "/api/handoff/duty", json={"on": True}, headers={"Origin": "https://evil.example"}
        )
        assert evil.status_code == 403
        assert evil.json()["error"]["code"] == "cross_site_refused"
        own = staff.post(
            "/api/handoff/duty",
            json={"on": False},
            headers={"Origin": staff.base_url.scheme + "://" + staff.base_url.netloc.decode()},
        )
        assert own.status_code == 200


def test_the_eldercare_lookup_limit_ignores_the_conversation_id(live_stack: LiveStack) -> None:
    service = {"Authorization": f"Bearer {live_stack.service_token}"}
    with httpx.Client(base_url=live_stack.web_url, headers=service, timeout=30) as api:
        booked = None
        for offset in range(2, 12):
            day = (city_today() + dt.timedelta(days=offset)).isoformat()
            response = api.post(
                "/api/eldercare/visits",
                json={
                    "facility_code": "xihu-home-1",
                    "visit_date": day,
                    "half_day": "am",
                    "visitor_name": "张丽",
                    "phone": "13812345678",
                    "conversation_id": "web-family",
                },
            )
            if response.status_code in (200, 201):
                booked = response.json()["reference"]
                break
        assert booked is not None, "no bookable day in the next ten"
        lookup, cancel = (f"/api/eldercare/visits/{booked}/{verb}" for verb in ("lookup", "cancel"))
        for number in range(7):
            guess = api.post(lookup, json={"phone": f"1390000{number:04d}"})
            assert guess.status_code in (404, 429)
        # the right phone now waits too, and the blocked visit cannot be cancelled
        assert api.post(lookup, json={"phone": "13812345678"}).status_code == 429
        assert api.post(cancel, json={"phone": "13812345678"}).status_code == 429
        bypass = api.post(lookup, json={"phone": "13812345678", "conversation_id": "web-new-1"})
        assert bypass.status_code in (422, 429), "a new conversation id opens nothing"


def _listening(port: int) -> list[str]:
    """The local addresses something listens on at `port` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as handle:
            for line in handle.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.rsplit(":", 1)
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    found.append(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1


def test_nothing_listens_on_a_non_loopback_address(live_stack: LiveStack) -> None:
    ports = {"rasa": live_stack.rasa_port, "actions": live_stack.actions_port}
    ports["web"] = live_stack.web_port
    for name, port in ports.items():
        addresses = _listening(port)
        assert addresses, f"{name} is not listening on {port}"
        assert set(addresses) <= LOOPBACK, f"{name} listens on {addresses}"


def test_rasa_and_the_action_server_answer_only_with_their_tokens(live_stack: LiveStack) -> None:
    tracker = f"{live_stack.rasa_url}/conversations/web-anyone/tracker"
    assert httpx.get(tracker, timeout=10).status_code == 401
    token = live_stack.production_secrets["RASA_TOKEN"]
    assert httpx.get(tracker, params={"token": token}, timeout=10).status_code == 200
    webhook = f"{live_stack.actions_url}/webhook"
    call = {"next_action": "action_show_menu", "tracker": {"sender_id": "x"}}
    assert httpx.post(webhook, json=call, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert httpx.post(webhook, json=call, headers=wrong, timeout=10).status_code == 401
    assert httpx.get(f"{live_stack.actions_url}/health", timeout=10).status_code == 200


def test_no_raw_id_or_mobile_in_the_tracker_store_after_a_booking(live_stack: LiveStack) -> None:
    from tests.e2e.test_marriage import bookable, make_id, stored

    day = bookable(6)
    groom, bride = make_id(male=True, sequence=801), make_id(male=False, sequence=802)
    # Forms the assistant accepts: dots, full-width digits; a phone with dashes.
    groom_typed = f"{groom[:6]}.{groom[6:14]}.{groom[14:]}"
    bride_typed = "".join(chr(ord(c) + 0xFEE0) for c in bride)
    sender = new_sender("e2e-scrub")
    for text in ("我想预约结婚登记", "西湖区", f"{day.month}月{day.day}号上午", "张伟"):
        say(live_stack, sender, text)
    say(live_stack, sender, groom_typed)
    say(live_stack, sender, "李娜")
    say(live_stack, sender, bride_typed)
    summary = say(live_stack, sender, "138-1234-5678")
    booked = texts(say(live_stack, sender, buttons(summary)["确认预约"]))
    assert "预约成功" in booked, booked
    reference = REFERENCE.search(booked)
    assert reference is not None
    booking = stored(live_stack, reference.group(0))
    assert booking is not None and booking.phone == "13812345678", "the sealed phone was used"
    rows = tracker_rows(live_stack, sender)
    assert len(rows) > 10
    for row in rows:
        digits = normalise_id_number(row)
        for personal in (groom, bride, "13812345678"):
            assert personal not in digits, (personal, row[:300])
