"""The faults of `make bench-faults` (bench/faults.py): what is done, and waiting for the return.

A process fault SIGKILLs the process and its own workers and waits until supervisord's new one
serves again (the bench starts nothing); a connection fault ends every PostgreSQL session or closes
every Redis connection of the stack. `inject` is the schedule: faults one after another, each
while every citizen is talking, with the run's phases named as they go.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.citizen_records import LoadResult
from bench.citizens import GIVE_UP_PAUSE_SECONDS
from bench.connection_faults import kill_redis_clients, terminate_postgres_sessions
from testkit.stack import LiveStack

PROCESS_FAULTS = ("rasa-0", "actions", "web-0")
CONNECTION_FAULTS = ("postgres", "redis")
FAULTS = (*PROCESS_FAULTS, *CONNECTION_FAULTS)
POLL_SECONDS = 0.25
GONE_POLL_SECONDS = 0.002  # how often to look whether a killed process has exited yet
GONE_WAIT_SECONDS = 10.0
# Longest wait before a fault for every citizen to be talking again (a give-up pause is at most
# 1.5 x GIVE_UP_PAUSE_SECONDS).
TALKING_WAIT_SECONDS = 1.5 * GIVE_UP_PAUSE_SECONDS + 5.0
# uvicorn prints this once the app of a (new) web worker is up.
WEB_STARTED = "Application startup complete."


@dataclass
class Phases:
    """The phase the run is in, and when each phase started (monotonic seconds)."""

    current: str = "before"
    started: dict[str, float] = field(default_factory=lambda: {"before": time.monotonic()})

    def enter(self, name: str) -> None:
        """Switch to phase `name` now."""
        self.current = name
        self.started[name] = time.monotonic()
        print(f"  [{time.strftime('%H:%M:%S')}] phase: {name}", flush=True)

    def durations(self, end: float) -> dict[str, float]:
        """Seconds spent in each phase, in order."""
        names = list(self.started)
        ends = [self.started[n] for n in names[1:]] + [end]
        return {n: stop - self.started[n] for n, stop in zip(names, ends, strict=True)}


@dataclass
class Fault:
    """One fault: what was done, when, and when the killed process served again.

    Attributes:
        name: A process name (rasa-0, actions, web-0) or "postgres" / "redis".
        at: `time.monotonic()` of the kill.
        done: What was done ("SIGKILL pid 1234", "14 sessions ended").
        back_after: Seconds until the killed process served again (None: connection faults,
            or not back within the limit).
        new_pid: The process id supervisord started in its place.
        gone_at: `time.monotonic()` when every process of the killed group was seen gone (a
            zombie or reaped: its sockets closed). SIGKILL is not instant: on a busy machine a
            killed process may take a while to die, and a request sent meanwhile on a
            connection of it is in flight on it too.
        down_until: `time.monotonic()` of the last check that found the killed process not
            serving yet (None: connection faults). An answer to a request sent after `at` and
            answered before this came from the other processes.
    """

    name: str
    at: float
    done: str
    back_after: float | None = None
    new_pid: int = 0
    gone_at: float | None = None
    down_until: float | None = None


def process_group(leader: int) -> list[int]:
    """The pids of process group `leader` (from /proc; just the leader where there is none)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == leader:  # fields: state, ppid, pgrp, ...
            members.append(int(stat.parent.name))
    return members or [leader]


def gone(pid: int) -> bool:
    """True once `pid` has exited (a zombie, or reaped by its parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def wait_gone(pids: Sequence[int], limit: float = GONE_WAIT_SECONDS) -> float:
    """Block until every one of `pids` has exited (at most `limit` s); when, monotonic."""
    deadline = time.monotonic() + limit
    while not all(gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(GONE_POLL_SECONDS)
    return time.monotonic()


def web_starts(stack: LiveStack, name: str) -> int:
    """How often web worker `name` has started its app (from its log)."""
    path = stack.log_dir / f"{name}.log"
    return path.read_text(encoding="utf-8", errors="replace").count(WEB_STARTED)


def serving(stack: LiveStack, name: str) -> bool:
    """True when process `name` answers its readiness route."""
    url = stack.process(name).health_url
    try:
        return url is not None and httpx.get(url, timeout=2.0).status_code == httpx.codes.OK
    except httpx.HTTPError:
        return False


def wait_back(stack: LiveStack, fault: Fault, old_pid: int, starts: int, limit: float) -> None:
    """Block until supervisord's new process `fault.name` serves (or `limit` seconds pass)."""
    while time.monotonic() - fault.at < limit:
        checked = time.monotonic()
        pid = stack.pid(fault.name)
        if pid and pid != old_pid:
            if fault.name.startswith("web-"):
                # The shared socket answers from the other worker too: the new one must be up.
                back = web_starts(stack, fault.name) > starts
            else:
                back = serving(stack, fault.name)
            if back:
                fault.back_after = time.monotonic() - fault.at
                fault.new_pid = pid
                return
        fault.down_until = checked
        time.sleep(POLL_SECONDS)


async def inflict(
    stack: LiveStack,
    name: str,
    limit: float,
    arrivals: asyncio.Queue[asyncio.Event],
    witnesses: int,
) -> Fault:
    """Do fault `name`; for a process, wait until supervisord has it serving again.

    While a killed process is down, `witnesses` more citizens talk (see the module docstring).
    """
    if name == "postgres":
        assert stack.backends is not None
        urls = (stack.backends.database_url, stack.backends.tracker_database_url)
        ended = await asyncio.to_thread(terminate_postgres_sessions, urls)
        return Fault(name=name, at=time.monotonic(), done=f"{ended} sessions ended")
    if name == "redis":
        assert stack.backends is not None
        groups = [pid for pid in (stack.pid(n) for n in stack.process_names) if pid]
        closed = await asyncio.to_thread(kill_redis_clients, stack.backends.redis_url, groups)
        return Fault(name=name, at=time.monotonic(), done=f"{closed} connections closed")
    starts = web_starts(stack, name) if name.startswith("web-") else 0
    group = process_group(stack.pid(name))
    pid = stack.kill(name)
    at = time.monotonic()
    fault = Fault(name=name, at=at, done=f"SIGKILL pid {pid}", down_until=at)
    fault.gone_at = await asyncio.to_thread(wait_gone, group)
    leave = [asyncio.Event() for _ in range(witnesses)]
    for event in leave:
        arrivals.put_nowait(event)
    try:
        await asyncio.to_thread(wait_back, stack, fault, pid, starts, limit)
    finally:
        for event in leave:
            event.set()
    return fault


async def until_talking(result: LoadResult, limit: float) -> float:
    """Wait (at most `limit` s) until no citizen is pausing after giving up; seconds waited."""
    started = time.monotonic()
    while result.resting and time.monotonic() - started < limit:
        await asyncio.sleep(POLL_SECONDS)
    return time.monotonic() - started


async def inject(
    stack: LiveStack,
    phases: Phases,
    args: argparse.Namespace,
    faults: list[Fault],
    result: LoadResult,
    arrivals: asyncio.Queue[asyncio.Event],
) -> None:
    """The fault schedule (see the module docstring)."""
    await asyncio.sleep(args.before)
    for name in args.faults:
        waited = await until_talking(result, TALKING_WAIT_SECONDS)
        if waited >= POLL_SECONDS:
            resting = f" ({result.resting} still pausing)" if result.resting else ""
            print(f"  waited {waited:.1f} s for the citizens to talk again{resting}", flush=True)
        phases.enter(f"{name} down" if name in PROCESS_FAULTS else f"{name} cut")
        fault = await inflict(stack, name, args.max_recovery, arrivals, args.witnesses)
        faults.append(fault)
        back = f"back after {fault.back_after:.1f} s" if fault.back_after is not None else ""
        if fault.gone_at is not None:
            back = f"gone after {(fault.gone_at - fault.at) * 1000:.0f} ms, {back}"
        print(f"  {name}: {fault.done} {back}", flush=True)
        phases.enter(f"{name} after")
        await asyncio.sleep(args.settle)
