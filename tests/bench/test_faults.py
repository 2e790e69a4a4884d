"""bench/faults.py: what counts as in flight at a kill, and as answered while a process was down."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import replace

from bench.citizen_records import CONNECTION, HOTLINE_503, OK, UNEXPECTED, Attempt, LoadResult
from bench.fault_injection import Fault, Phases, gone, until_talking, wait_gone
from bench.fault_report import answered_while_down, failures_told, in_flight

KILL = 100.0
DOWN_UNTIL = 103.0  # the last check that found the killed process not serving yet


def attempt(started: float, seconds: float, outcome: str = OK) -> Attempt:
    return Attempt(
        script="knowledge_questions",
        phase="web-0 down",
        started=started,
        latency_ms=seconds * 1000,
        outcome=outcome,
        retry=False,
    )


def test_only_answers_sent_after_the_kill_and_given_before_it_was_back_count() -> None:
    fault = Fault(name="web-0", at=KILL, done="SIGKILL pid 1", down_until=DOWN_UNTIL)
    counted = [attempt(100.5, 0.4), attempt(101.0, 2.0, UNEXPECTED)]
    not_counted = [
        attempt(99.8, 0.5),  # sent before the kill: it may have been on the killed worker
        attempt(102.5, 0.8),  # answered after the last "not back yet": maybe by the new one
        attempt(100.5, 0.4, HOTLINE_503),
        attempt(100.5, 0.4, CONNECTION),
    ]
    assert answered_while_down([*counted, *not_counted], fault) == counted


def test_in_flight_means_sent_before_the_killed_process_was_gone() -> None:
    fault = Fault(name="web-0", at=KILL, done="SIGKILL pid 1", gone_at=KILL + 0.05)
    counted = [
        attempt(99.5, 0.6, CONNECTION),  # on it at the kill
        attempt(100.02, 0.1, CONNECTION),  # sent on its connection while it was dying
    ]
    not_counted = [attempt(99.0, 0.5), attempt(100.2, 0.3), attempt(100.1, 0.3, CONNECTION)]
    assert in_flight([*counted, *not_counted], fault) == counted
    sent_while_dying = attempt(100.02, 0.5)
    assert answered_while_down([sent_while_dying], fault) == []


def test_a_failed_check_says_when_each_failure_was_sent() -> None:
    fault = Fault(name="web-0", at=KILL, done="SIGKILL pid 1", gone_at=KILL + 0.04)
    phases = Phases(current="web-0 down", started={"before": 90.0, "web-0 down": KILL})
    attempts = [
        attempt(100.012, 0.003, CONNECTION),
        attempt(100.5, 0.4),
        replace(attempt(99.0, 0.5, CONNECTION), phase="before"),  # not this fault's
    ]
    assert failures_told(attempts, fault, phases) == [
        "connection error: sent +12 ms, failed after 3 ms (gone at +40 ms)"
    ]


def test_a_killed_process_is_seen_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert not gone(child.pid)
        started = time.monotonic()
        os.kill(child.pid, 9)
        assert wait_gone([child.pid], limit=5.0) - started < 2.0
        assert gone(child.pid)  # a zombie until reaped
    finally:
        child.wait()
    assert gone(child.pid)


def test_a_connection_fault_has_no_down_window() -> None:
    fault = Fault(name="postgres", at=KILL, done="13 sessions ended")
    assert answered_while_down([attempt(100.5, 0.4)], fault) == []


async def test_the_next_fault_waits_for_citizens_pausing_after_giving_up() -> None:
    result = LoadResult(resting=1)

    async def back_to_talking() -> None:
        await asyncio.sleep(0.3)
        result.resting = 0

    talking = asyncio.create_task(back_to_talking())
    waited = await until_talking(result, limit=5.0)
    await talking
    assert 0.3 <= waited < 2.0


async def test_it_waits_no_longer_than_the_limit() -> None:
    assert await until_talking(LoadResult(resting=2), limit=0.3) < 1.0
