"""The attempt limit of citizens' look-ups, in this process and shared through Redis."""

from __future__ import annotations

import uuid

from redis import Redis

from backoffice.lookup_guard import LookupGuard
from testkit.stack_basics import free_port


def test_a_key_is_blocked_after_the_limit_until_the_window_passes() -> None:
    now = [1000.0]
    guard = LookupGuard(max_failures=2, window_seconds=60, clock=lambda: now[0])
    assert not guard.blocked("ref:A", "phone:1")
    guard.record_failure("ref:A", "phone:1")
    guard.record_failure("ref:A", "phone:2")
    assert guard.blocked("ref:A", "phone:9")  # the reference reached 2
    assert not guard.blocked("ref:B", "phone:2")  # phone:2 has one failure only
    now[0] += 61
    assert not guard.blocked("ref:A", "phone:1")


def test_redis_counts_are_shared_between_processes() -> None:
    prefix = f"test:lookup:{uuid.uuid4().hex}:"
    first = LookupGuard(redis=Redis(), prefix=prefix, max_failures=2)
    second = LookupGuard(redis=Redis(), prefix=prefix, max_failures=2)
    first.record_failure("ref:A")
    assert not second.blocked("ref:A")
    second.record_failure("ref:A")
    assert first.blocked("ref:A") and second.blocked("ref:A")
    keys = Redis().keys(prefix + "*")
    assert keys and all(b"ref:A" not in key for key in keys)  # only digests are stored


def test_redis_outage_allows_the_look_up() -> None:
    guard = LookupGuard(redis=Redis(port=free_port(), socket_connect_timeout=0.5), max_failures=1)
    guard.record_failure("ref:A")
    assert not guard.blocked("ref:A")
