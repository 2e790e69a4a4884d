"""Faults under load: kill a rasa replica, then the action server, restart both; lose nothing.

`make bench-faults` (or `python -m bench.faults`) starts the production profile (2 rasa replicas,
PostgreSQL, Redis), puts N simulated citizens on it (bench/citizens.py) and, while they talk:

1. ``before``: normal load;
2. ``rasa-0 down``: rasa-0 is killed (SIGKILL), left down, then restarted until it is ready;
3. ``rasa-0 back``: a short settle with both replicas;
4. ``actions down``: the action server is killed (SIGKILL), left down, restarted until ready;
5. ``recovered``: normal load again.

It prints, per phase, what the citizens saw (answered messages, latency, errors by kind), then
the ledger (bench/ledger.py): every booking, pledge, pre-screen and handoff message a citizen
was told about must be stored exactly once, none twice. Exit status 1 when the ledger is not
clean. ``--profile embedded`` runs the same schedule on the one-rasa embedded stack (there a
killed rasa is a full outage) — a baseline, and a way to try the bench without PostgreSQL.

The /api/chat rate limits are off for the run (all citizens send from 127.0.0.1).
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.citizens import DRAIN, OK, RUN_ENDED, UNEXPECTED, LoadResult, run_citizens, warm_up
from bench.latency import percentile
from bench.ledger import print_ledger, verify
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


def replica_name(stack: LiveStack) -> str:
    """The process to kill as "one rasa replica": rasa-0 (production) or rasa (embedded)."""
    return stack.rasa_names[0]


def kill(stack: LiveStack, name: str) -> None:
    """SIGKILL process `name` and everything in its process group (no clean shutdown)."""
    stack.kill(name)


def restart(stack: LiveStack, name: str) -> None:
    """Start process `name` again and block until it answers its health check."""
    stack.start_process(name)
    stack.wait_until_ready((name,))


async def inject(stack: LiveStack, phases: Phases, args: argparse.Namespace) -> None:
    """The fault schedule (see the module docstring)."""
    replica = replica_name(stack)
    await asyncio.sleep(args.before)
    phases.enter(f"{replica} down")
    kill(stack, replica)
    await asyncio.sleep(args.down)
    await asyncio.to_thread(restart, stack, replica)
    phases.enter(f"{replica} back")
    await asyncio.sleep(args.settle)
    phases.enter("actions down")
    kill(stack, "actions")
    await asyncio.sleep(args.down)
    await asyncio.to_thread(restart, stack, "actions")
    phases.enter("recovered")
    await asyncio.sleep(args.after)


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
    """Load + faults + ledger; 0 when nothing told was lost or duplicated."""
    try:
        with start_profile(args.profile, model=args.model, replicas=args.replicas) as stack:
            open_desk(stack)
            print_warm_up_failures(args.profile, await warm_up(stack.web_url))
            phases = Phases()
            stop = asyncio.Event()
            print(f"{args.profile}: {args.citizens} citizens, faults injected ...", flush=True)
            citizens = asyncio.create_task(
                run_citizens(
                    stack.web_url,
                    citizens=args.citizens,
                    stop=stop,
                    phase=lambda: phases.current,
                    think_seconds=args.think,
                )
            )
            try:
                await inject(stack, phases, args)
            finally:
                stop.set()
            result = await citizens
            durations = phases.durations(result.window_end)
            durations[DRAIN] = time.monotonic() - result.window_end  # finishing conversations
            print(f"\n{args.profile}, {args.citizens} citizens; {RATE_LIMIT_NOTE}\n")
            print_phases(result, durations)
            print(f"\nledger (back office {stack.database_url.split(':')[0]}):")
            clean = print_ledger(*verify(stack.database_url, result.conversations))
            save_logs(stack, args.logs, f"faults-{args.profile}")
    except ProfileUnavailableError as error:
        print(f"✗ {args.profile}: not run: {error}", file=sys.stderr)
        return 1
    print("ledger clean" if clean else "✗ something the citizens were told is lost or duplicated")
    return 0 if clean else 1


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="production", choices=("production", "embedded"))
    parser.add_argument("--replicas", type=int, default=2, help="rasa replicas in production (2)")
    parser.add_argument("--citizens", type=int, default=50, help="concurrent citizens (50)")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between messages")
    parser.add_argument("--before", type=float, default=30.0, help="seconds before the 1st kill")
    parser.add_argument(
        "--down", type=float, default=15.0, help="seconds a killed process stays down"
    )
    parser.add_argument("--settle", type=float, default=15.0, help="seconds between the two faults")
    parser.add_argument("--after", type=float, default=30.0, help="seconds of load after recovery")
    parser.add_argument("--model", type=Path, default=None, help="model (default: the newest)")
    parser.add_argument("--logs", type=Path, default=None, help="copy the process logs here")
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
