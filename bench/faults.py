"""Faults under load, observed, not staged: SIGKILL one process at a time; nothing restarted here.

`make bench-faults` (or `python -m bench.faults`) starts the production profile as `make
run-production` does (supervisord; 2 Rasa replicas, 2 web workers, PostgreSQL, Redis), puts N
simulated citizens on it (bench/citizens.py) and, while they talk, one fault after another:

- ``rasa-0``, ``actions``, ``web-0``: the process and its own workers get SIGKILL. The bench does
  not start anything again: supervisord must. It waits until the killed process serves again
  (a new pid answering its readiness route; for a web worker, the new worker has started its
  app) and reports that time. Requests in flight are those sent before every process of the
  killed group had exited (SIGKILL is not instant on a busy machine: a request sent meanwhile on
  a connection of the dying process fails with it) and answered or failed after the kill. It
  counts the requests answered while the process was down: sent once it was gone and answered
  before the last check that found it not serving yet, so answered by the others (the other
  replica, the other web worker). A web worker is back within about
  3 s, and citizens pause between messages (and for a while after giving up), so at each kill
  `--witnesses` more citizens arrive, the same mix at the same pace, and talk until the killed
  process is back (then finish their conversation; the ledger checks theirs too);
- ``postgres``: every session of the stack's two databases is ended (`pg_terminate_backend`), as
  a database restart would; ``redis``: every Redis connection of the stack is closed (`CLIENT
  KILL`), as a Redis restart would (bench/connection_faults.py; the servers keep running, they
  serve other stacks too).

Each fault is followed by `--settle` seconds of load, and is done only once no citizen is pausing
after giving up (at most `TALKING_WAIT_SECONDS` more), so it happens under the load. It prints,
per fault, when it was back and what the citizens saw meanwhile (answered, answered while down,
the Chinese 503 with the hotline, other errors), per phase the latency and errors, then the
ledger (bench/ledger.py): every booking, pledge, pre-screen and handoff message a citizen was
told about must be stored exactly once, none twice, and nothing stored for a citizen who saw
only errors. Exit status 1 when the ledger is not clean
or a killed process was not back within `--max-recovery` seconds.

The /api/chat rate limits are off for the run (all citizens send from 127.0.0.1).
Not part of `make test` (tests/e2e/test_production_faults.py runs a short version).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from bench.citizens import (
    DRAIN,
    GIVE_UP_PAUSE_SECONDS,
    HOTLINE_503,
    OK,
    RUN_ENDED,
    UNEXPECTED,
    Attempt,
    LoadResult,
    run_citizens,
    warm_up,
)
from bench.connection_faults import kill_redis_clients, terminate_postgres_sessions
from bench.latency import percentile
from bench.ledger import LedgerRow, Unseen, print_ledger, unseen, verify
from bench.load import print_warm_up_failures
from bench.profiles import (
    RATE_LIMIT_NOTE,
    ProfileUnavailableError,
    open_desk,
    save_logs,
    start_profile,
)
from testkit.stack import LiveStack

UNEXPECTED_SHOWN = 8  # unexpected replies quoted after the phase table
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
# What the assistant says when a booking of that person and day exists already
# (bot/domain/marriage.yml `utter_marriage_person_busy`): a clear answer to a repeated request.
DOMAIN = Path(__file__).resolve().parent.parent / "bot" / "domain"
ALREADY_THERE = {"marriage booking": ("marriage.yml", "utter_marriage_person_busy")}
RETRY_TIMEOUT_SECONDS = 60.0


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


def in_flight(attempts: Sequence[Attempt], fault: Fault) -> list[Attempt]:
    """Attempts in flight while the killed process was dying.

    Sent before it was gone (`Fault.gone_at`; the kill itself for connection faults) and
    answered (or failed) after the kill.
    """
    end = fault.gone_at if fault.gone_at is not None else fault.at
    return [a for a in attempts if a.started < end and a.started + a.latency_ms / 1000 > fault.at]


def during(attempts: Sequence[Attempt], fault: Fault, phases: Phases) -> list[Attempt]:
    """Attempts that ended in the fault's two phases (down/cut and after)."""
    names = {n for n in phases.started if n.startswith(f"{fault.name} ")}
    return [a for a in attempts if a.phase in names]


def answered_while_down(attempts: Sequence[Attempt], fault: Fault) -> list[Attempt]:
    """Answers to requests sent once the killed process was gone, answered before it was back."""
    if fault.down_until is None:
        return []
    gone_at = fault.gone_at if fault.gone_at is not None else fault.at
    return [
        a
        for a in attempts
        if a.outcome in (OK, UNEXPECTED)
        and gone_at < a.started
        and a.started + a.latency_ms / 1000 <= fault.down_until
    ]


@dataclass(frozen=True)
class FaultSummary:
    """What the citizens saw around one fault (`answered_down`: see `answered_while_down`)."""

    fault: Fault
    in_flight: int
    sent: int
    answered: int
    answered_down: int
    hotline_503: int
    other_errors: Counter[str]
    first_answer_after: float | None


def summarise(result: LoadResult, faults: Sequence[Fault], phases: Phases) -> list[FaultSummary]:
    """One summary per fault."""
    summaries = []
    for fault in faults:
        mine = during(result.attempts, fault, phases)
        answered = [a for a in mine if a.outcome in (OK, UNEXPECTED)]
        # Answers after the fault in any later phase: when citizens were answered again.
        after = [
            a.started + a.latency_ms / 1000 - fault.at
            for a in result.attempts
            if a.outcome in (OK, UNEXPECTED)
        ]
        summaries.append(
            FaultSummary(
                fault=fault,
                in_flight=len(in_flight(result.attempts, fault)),
                sent=len(mine),
                answered=len(answered),
                answered_down=len(answered_while_down(result.attempts, fault)),
                hotline_503=sum(a.outcome == HOTLINE_503 for a in mine),
                other_errors=Counter(
                    a.outcome for a in mine if a.outcome not in (OK, UNEXPECTED, HOTLINE_503)
                ),
                first_answer_after=min((t for t in after if t > 0), default=None),
            )
        )
    return summaries


def print_faults(summaries: Sequence[FaultSummary]) -> None:
    """The fault table: recovery time and what the citizens saw."""
    header = (
        f"{'fault':<9} {'what was done':<22} {'back after s':>12} {'in flight':>9} {'sent':>5} "
        f"{'answered':>8} {'while down':>10} {'503+hotline':>11} {'1st answer s':>12}  "
        "other errors"
    )
    print(header)
    print("-" * len(header))
    for s in summaries:
        back = s.fault.back_after
        shown = "-" if s.fault.name in CONNECTION_FAULTS else "NOT BACK"
        others = ", ".join(f"{k}: {v}" for k, v in sorted(s.other_errors.items())) or "-"
        first = "-" if s.first_answer_after is None else f"{s.first_answer_after:.1f}"
        down = "-" if s.fault.down_until is None else str(s.answered_down)
        print(
            f"{s.fault.name:<9} {s.fault.done:<22} {f'{back:.1f}' if back else shown:>12} "
            f"{s.in_flight:>9} {s.sent:>5} {s.answered:>8} {down:>10} {s.hotline_503:>11} "
            f"{first:>12}  {others}"
        )
    print(
        "(in flight: sent before the killed process had exited, ended after the kill; while "
        "down: sent once it had exited, answered before it served again, so by the others)"
    )


@dataclass(frozen=True)
class Retry:
    """A citizen who saw only errors sends the failed message again once everything is back."""

    unseen: Unseen
    reply: str

    @property
    def clear(self) -> bool:
        """The answer names the stored record, or says that it exists already."""
        if any(reference in self.reply for reference in self.unseen.stored):
            return True
        known = ALREADY_THERE.get(self.unseen.record)
        return known is not None and already_there_text(*known) in self.reply


def already_there_text(file_name: str, response: str) -> str:
    """The text of `response` in the domain file `file_name` (its first variation)."""
    domain = yaml.safe_load((DOMAIN / file_name).read_text(encoding="utf-8"))
    return str(domain["responses"][response][0]["text"]).strip()


async def retry_unseen(web_url: str, records: Sequence[Unseen]) -> list[Retry]:
    """Send each unseen record's last failed message again (as the citizen would, later)."""
    retries = []
    async with httpx.AsyncClient(timeout=RETRY_TIMEOUT_SECONDS) as client:
        for record in records:
            conversation = record.conversation
            message = (conversation.sent_failed or conversation.sent_ok or [""])[-1]
            response = await client.post(
                f"{web_url}/api/chat", json={"sender": conversation.sender, "message": message}
            )
            texts = []
            if response.is_success:
                texts = [str(m.get("text") or "") for m in response.json().get("messages") or []]
            retries.append(
                Retry(unseen=record, reply=" ".join(texts) or f"HTTP {response.status_code}")
            )
    return retries


def print_retries(retries: Sequence[Retry]) -> None:
    """What each citizen who saw only errors is told when they try again."""
    print(f"\nstored while the citizen saw only errors: {len(retries)}; each tries again:")
    for retry in retries:
        verdict = "clear" if retry.clear else "NOT CLEAR"
        print(f"  {retry.unseen.record} {retry.unseen.stored}: {verdict}: {retry.reply[:120]!r}")


def ledger_clean(rows: Sequence[LedgerRow], slot_mismatches: int, retries: Sequence[Retry]) -> bool:
    """Nothing told lost or doubled; whatever was stored unseen is answered clearly on retry."""
    return slot_mismatches == 0 and all(row.ok for row in rows) and all(r.clear for r in retries)


@dataclass
class FaultRun:
    """Everything one run observed (for the report and for tests/e2e/test_production_faults.py)."""

    result: LoadResult
    faults: list[Fault]
    phases: Phases
    summaries: list[FaultSummary]
    ledger: list[LedgerRow]
    slot_mismatches: int
    retries: list[Retry]

    @property
    def clean(self) -> bool:
        """The ledger is clean and every killed process came back by itself."""
        back = all(f.back_after is not None for f in self.faults if f.name in PROCESS_FAULTS)
        return back and ledger_clean(self.ledger, self.slot_mismatches, self.retries)


async def observe(stack: LiveStack, args: argparse.Namespace) -> FaultRun:
    """Citizens on `stack` while the faults of `args.faults` happen; then the ledger."""
    phases = Phases()
    stop = asyncio.Event()
    faults: list[Fault] = []
    watched = LoadResult()
    arrivals: asyncio.Queue[asyncio.Event] = asyncio.Queue()
    print(
        f"{args.citizens} citizens (+{args.witnesses} while a killed process is down), "
        f"faults {', '.join(args.faults)} ...",
        flush=True,
    )
    citizens = asyncio.create_task(
        run_citizens(
            stack.web_url,
            citizens=args.citizens,
            stop=stop,
            phase=lambda: phases.current,
            think_seconds=args.think,
            result=watched,
            arrivals=arrivals,
        )
    )
    try:
        await inject(stack, phases, args, faults, watched, arrivals)
    finally:
        stop.set()
    result = await citizens
    rows, mismatches = verify(stack.database_url, result.conversations)
    retries = await retry_unseen(stack.web_url, unseen(stack.database_url, result.conversations))
    return FaultRun(
        result=result,
        faults=faults,
        phases=phases,
        summaries=summarise(result, faults, phases),
        ledger=rows,
        slot_mismatches=mismatches,
        retries=retries,
    )


def print_phases(result: LoadResult, durations: dict[str, float]) -> None:
    """What the citizens saw in each phase."""
    header = (
        f"{'phase':<14} {'s':>5} {'sent':>6} {'answered':>8} {'msg/s':>7} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'errors':>7}  error kinds"
    )
    print(header)
    print("-" * len(header))
    for phase, seconds in durations.items():
        attempts = [a for a in result.attempts if a.phase == phase]
        answered = [a.latency_ms for a in attempts if a.outcome in (OK, UNEXPECTED)]
        errors = Counter(a.outcome for a in attempts if a.outcome != OK)
        p50 = statistics.median(answered) if answered else float("nan")
        p95 = percentile(answered, 0.95) if answered else float("nan")
        kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(errors.items())) or "-"
        print(
            f"{phase:<14} {seconds:>5.0f} {len(attempts):>6} {len(answered):>8} "
            f"{len(answered) / seconds if seconds else 0:>7.2f} {p50:>8.0f} {p95:>8.0f} "
            f"{sum(errors.values()):>7}  {kinds}"
        )
    done = sum(c.completed for c in result.conversations)
    abandoned = [c for c in result.conversations if not c.completed and c.problem != RUN_ENDED]
    print(
        f"\nconversations: {len(result.conversations)} started, {done} completed, "
        f"{len(abandoned)} abandoned after an error or unexpected reply"
    )
    unexpected = sorted({c.problem for c in abandoned if c.problem and UNEXPECTED in c.problem})
    for problem in unexpected[:UNEXPECTED_SHOWN]:
        print(f"  {problem}")


async def run(args: argparse.Namespace) -> int:
    """Load + faults + ledger; 0 when nothing told was lost or duplicated and all came back."""
    started = time.monotonic()
    try:
        with start_profile(args.profile, model=args.model, replicas=args.replicas) as stack:
            print(f"{args.profile}: every process ready after {time.monotonic() - started:.0f} s")
            open_desk(stack)
            print_warm_up_failures(args.profile, await warm_up(stack.web_url))
            run = await observe(stack, args)
            durations = run.phases.durations(run.result.window_end)
            durations[DRAIN] = time.monotonic() - run.result.window_end  # finishing conversations
            print(f"\n{args.profile}, {args.citizens} citizens; {RATE_LIMIT_NOTE}")
            print("no process restarted by the bench: supervisord started each killed one\n")
            print_faults(run.summaries)
            print()
            print_phases(run.result, durations)
            print(f"\nledger (back office {stack.database_url.split(':')[0]}):")
            print_ledger(run.ledger, run.slot_mismatches)
            print_retries(run.retries)
            save_logs(stack, args.logs, f"faults-{args.profile}")
    except ProfileUnavailableError as error:
        print(f"✗ {args.profile}: not run: {error}", file=sys.stderr)
        return 1
    if run.clean:
        print("ledger clean; every killed process came back by itself")
        return 0
    print("✗ something told was lost or duplicated, stored unseen, or a process did not come back")
    return 1


def parser() -> argparse.ArgumentParser:
    """The command line (also the defaults of tests/e2e/test_production_faults.py)."""
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--profile", default="production", choices=("production",))
    options.add_argument("--replicas", type=int, default=2, help="rasa replicas (2)")
    options.add_argument("--citizens", type=int, default=30, help="concurrent citizens (30)")
    options.add_argument("--think", type=float, default=1.0, help="mean pause between messages")
    options.add_argument(
        "--witnesses",
        type=int,
        default=2,
        help="more citizens who arrive at each process kill and talk until it is back (2)",
    )
    options.add_argument("--before", type=float, default=20.0, help="seconds before the 1st fault")
    options.add_argument(
        "--settle", type=float, default=20.0, help="seconds of load after each fault"
    )
    options.add_argument(
        "--max-recovery", type=float, default=300.0, help="seconds a killed process may take"
    )
    options.add_argument(
        "--faults", nargs="+", choices=FAULTS, default=list(FAULTS), help="in this order"
    )
    options.add_argument("--model", type=Path, default=None, help="model (default: the newest)")
    options.add_argument("--logs", type=Path, default=None, help="copy the process logs here")
    return options


def main() -> None:
    """Entry point."""
    sys.exit(asyncio.run(run(parser().parse_args())))


if __name__ == "__main__":
    main()
