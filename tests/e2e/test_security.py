"""Secure by default, checked against the running embedded stack (issue 20)."""

from __future__ import annotations

import httpx
import pytest

from testkit.stack import LiveStack

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
