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
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.citizen_records import DRAIN, LoadResult
from bench.citizens import run_citizens, warm_up
from bench.fault_injection import (
    FAULTS,
    PROCESS_FAULTS,
    Fault,
    Phases,
    inject,
)
from bench.fault_report import (
    FaultSummary,
    print_faults,
    print_phases,
    summarise,
)
from bench.fault_retries import Retry, ledger_clean, print_retries, retry_unseen
from bench.ledger import LedgerRow, print_ledger, unseen, verify
from bench.load import print_warm_up_failures
from bench.profiles import (
    RATE_LIMIT_NOTE,
    ProfileUnavailableError,
    open_desk,
    save_logs,
    start_profile,
)
from testkit.stack import LiveStack


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
