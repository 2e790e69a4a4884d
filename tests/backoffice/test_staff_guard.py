"""CSRF: staff and editor state changes only from this site; every staff action audited."""

from __future__ import annotations

import json
import logging

from starlette.datastructures import Headers

from tests.backoffice.handoff_support import PASSWORDS
from tests.backoffice.test_handoff_api import Harness, harness  # noqa: F401 (fixture)
from tests.backoffice.test_login_throttle import ListHandler
from web.staff_guard import is_staff_path, same_site

EVIL = {"Origin": "https://evil.example"}


def login(harness: Harness) -> None:  # noqa: F811
    response = harness.client.post(
        "/api/handoff/login", json={"username": "agent1", "password": PASSWORDS["agent1"]}
    )
    assert response.status_code == 200


def test_a_cross_origin_staff_post_is_refused_in_chinese(harness: Harness) -> None:  # noqa: F811
    login(harness)
    for path, body in (("/api/handoff/duty", {"on": True}), ("/api/handoff/logout", None)):
        response = harness.client.post(path, json=body, headers=EVIL)
        assert response.status_code == 403, path
        error = response.json()["error"]
        assert error["code"] == "cross_site_refused" and "本站" in error["message"]
    referer = harness.client.post(
        "/api/handoff/duty", json={"on": True}, headers={"Referer": "https://evil.example/x"}
    )
    assert referer.status_code == 403
    same = harness.client.post(
        "/api/handoff/duty", json={"on": True}, headers={"Origin": "http://testserver"}
    )
    assert same.status_code == 200


def test_logins_from_another_site_are_refused(harness: Harness) -> None:  # noqa: F811
    form = {"username": "agent1", "password": PASSWORDS["agent1"]}
    assert harness.client.post("/console/login", data=form, headers=EVIL).status_code == 403
    api = harness.client.post("/api/handoff/login", json=form, headers=EVIL)
    assert api.status_code == 403
    assert (
        harness.client.post("/knowledge/login", data={"token": "x"}, headers=EVIL).status_code
        == 403
    )


def test_staff_actions_are_audited(harness: Harness) -> None:  # noqa: F811
    login(harness)
    handler = ListHandler()
    logging.getLogger("minzheng.audit").addHandler(handler)
    try:
        harness.client.post("/api/handoff/duty", json={"on": True})
    finally:
        logging.getLogger("minzheng.audit").removeHandler(handler)
    [event] = [json.loads(record.getMessage()) for record in handler.records]
    assert event["event"] == "staff_action" and event["path"] == "/api/handoff/duty"
    assert event["staff"] == "agent1" and event["status"] == 200


def test_which_paths_are_staff_paths() -> None:
    assert is_staff_path("/api/marriage/staff/bookings/MZ1/attendance")
    assert is_staff_path("/console/logout") and is_staff_path("/api/handoff/tickets/1/reply")
    assert not is_staff_path("/api/handoff/bot/tickets")
    assert not is_staff_path("/api/chat") and not is_staff_path("/api/marriage/bookings")


def test_site_origin_overrides_the_host() -> None:
    behind_proxy = Headers({"host": "127.0.0.1:8000", "origin": "https://mz.example.gov.cn"})
    assert same_site(behind_proxy, "https://mz.example.gov.cn")
    assert not same_site(behind_proxy, "")
    assert not same_site(Headers({"host": "a", "origin": "null"}), "")
    assert same_site(Headers({"host": "a"}), ""), "no Origin or Referer: not a browser"
