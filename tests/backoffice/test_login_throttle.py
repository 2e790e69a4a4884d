"""Logins: a growing wait per user and per IP, equal work for unknown users, an audit trail."""

from __future__ import annotations

import json
import logging

import pytest

from backoffice.login_throttle import (
    FREE_ATTEMPTS,
    FREE_ATTEMPTS_PER_IP,
    LoginThrottle,
    login_keys,
    wait_after,
)
from backoffice.lookup_guard import LookupGuard
from backoffice.staff import passwords
from tests.backoffice.handoff_support import PASSWORDS
from tests.backoffice.test_handoff_api import Harness, harness  # noqa: F401 (fixture)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def make_throttle() -> tuple[LoginThrottle, Clock]:
    clock = Clock()
    guard = LookupGuard(max_failures=10**9, window_seconds=3600, clock=clock)
    return LoginThrottle(guard, clock=clock), clock


def test_the_wait_grows_after_the_free_attempts() -> None:
    assert [wait_after(n) for n in range(FREE_ATTEMPTS)] == [0.0] * FREE_ATTEMPTS
    waits = [wait_after(n) for n in range(FREE_ATTEMPTS, FREE_ATTEMPTS + 4)]
    assert waits == sorted(waits) and waits[0] > 0 and waits[-1] == 8 * waits[0]
    assert wait_after(100) == 900.0


def test_per_user_and_per_ip() -> None:
    throttle, clock = make_throttle()
    user, ip = login_keys("staff", "Agent1", "10.0.0.9")
    for _ in range(FREE_ATTEMPTS):
        assert throttle.retry_after(user, ip) == 0
        throttle.failed(user, ip)
    first_wait = throttle.retry_after(user, ip)
    assert first_wait > 0
    # The same user from another IP waits too; other users of the IP have more free attempts.
    assert throttle.retry_after(*login_keys("staff", "agent1", "10.0.0.10")) == first_wait
    assert throttle.retry_after(*login_keys("staff", "other", "10.0.0.9")) == 0
    clock.now += first_wait
    assert throttle.retry_after(user, ip) == 0
    throttle.failed(user, ip)
    assert throttle.retry_after(user, ip) > first_wait, "the wait grows"
    throttle.succeeded(user)
    assert throttle.retry_after(*login_keys("staff", "agent1", "10.0.0.10")) == 0


def test_many_user_names_from_one_ip_are_throttled_too() -> None:
    throttle, _clock = make_throttle()
    for n in range(FREE_ATTEMPTS_PER_IP):
        keys = login_keys("staff", f"guess{n}", "10.0.0.9")
        assert throttle.retry_after(*keys) == 0
        throttle.failed(*keys)
    assert throttle.retry_after(*login_keys("staff", "fresh-name", "10.0.0.9")) > 0


def test_the_unknown_user_costs_a_real_bcrypt_check() -> None:
    real = passwords.hash_password("x")
    assert passwords.dummy_hash()[:7] == real[:7], "same bcrypt cost factor"


def test_thirty_wrong_passwords_then_the_right_one_waits(harness: Harness) -> None:  # noqa: F811
    handler = ListHandler()
    records = handler.records
    audit_logger = logging.getLogger("minzheng.audit")
    audit_logger.addHandler(handler)
    try:
        client = harness.client
        codes = [
            client.post(
                "/api/handoff/login", json={"username": "agent1", "password": "wrong-pass"}
            ).status_code
            for _ in range(30)
        ]
        right = client.post(
            "/api/handoff/login", json={"username": "agent1", "password": PASSWORDS["agent1"]}
        )
        console = client.post(
            "/console/login", data={"username": "agent1", "password": PASSWORDS["agent1"]}
        )
    finally:
        audit_logger.removeHandler(handler)
    assert codes[:FREE_ATTEMPTS] == [401] * FREE_ATTEMPTS
    assert set(codes[FREE_ATTEMPTS:]) <= {401, 429} and 429 in codes
    assert right.status_code == 429
    error = right.json()["error"]
    assert error["code"] == "login_throttled" and "秒后再试" in error["message"]
    assert int(right.headers["Retry-After"]) > 0
    assert console.status_code == 429 and "秒后再试" in console.text
    events = [json.loads(record.getMessage()) for record in records]
    assert {e["event"] for e in events} >= {"login_failed", "login_throttled"}
    assert all("wrong-pass" not in record.getMessage() for record in records)


@pytest.mark.parametrize("username", ["agent1", "nobody-here"])
def test_failed_logins_are_audited_without_the_password(harness: Harness, username: str) -> None:  # noqa: F811
    handler = ListHandler()
    records = handler.records
    logging.getLogger("minzheng.audit").addHandler(handler)
    try:
        harness.client.post(
            "/api/handoff/login", json={"username": username, "password": "secret-guess-1"}
        )
    finally:
        logging.getLogger("minzheng.audit").removeHandler(handler)
    events = [json.loads(record.getMessage()) for record in records]
    [failed] = [event for event in events if event["event"] == "login_failed"]
    assert failed["ip"]
    for record in records:  # the login event and the staff-action line
        assert username not in record.getMessage()
        assert "secret-guess-1" not in record.getMessage()
