"""Load test: N concurrent simulated citizens holding whole conversations for a fixed time.

`make bench-load` (or `python -m bench.load`) runs, in the same process and one after the other:

- baseline: the embedded profile (one rasa, one action server, one web process, SQLite);
- production: 2 rasa replicas, PostgreSQL back office and tracker store, Redis lock store.

In each, N citizens (default 50) talk through ``POST /api/chat`` for a fixed time (default 60 s):
婚姻登记预约, 救助预审, 政策问答, 慈善认捐 and 转人工, picked at random with fixed weights from
``bench/load_scripts/`` (bench/citizens.py). Each conversation has its own sender id, ID numbers
and phone. The table shows throughput (answered messages/s, conversations completed), latency
per message (p50/p95/p99 of the answered ones), errors by kind, and the ratio production /
embedded. Afterwards the ledger (bench/ledger.py) checks that every booking, pledge, pre-screen
and handoff message the citizens were told about is stored exactly once.

The /api/chat rate limits are off for the run (all citizens send from 127.0.0.1).
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.citizen_records import DRAIN, OK, UNEXPECTED, Conversation, LoadResult
from bench.citizens import run_citizens, warm_up
from bench.latency import percentile
from bench.ledger import print_ledger, verify
from bench.profiles import (
    PROFILES,
    RATE_LIMIT_NOTE,
    ProfileUnavailableError,
    open_desk,
    save_logs,
    start_profile,
)
from testkit.stack_basics import StackError


@dataclass(frozen=True)
class Summary:
    """The figures of one run."""

    name: str
    seconds: float
    sent: int
    answered: int
    conversations_done: int
    p50: float
    p95: float
    p99: float
    errors: Counter[str]

    @property
    def throughput(self) -> float:
        """Answered messages per second."""
        return self.answered / self.seconds if self.seconds else 0.0


def summarise(name: str, result: LoadResult) -> Summary:
    """Throughput, latency percentiles (answered messages) and error counts of the timed window.

    Messages sent after the window (citizens finishing their conversation) are left out.
    """
    timed = [a for a in result.attempts if a.phase != DRAIN]
    answered = [a.latency_ms for a in timed if a.outcome in (OK, UNEXPECTED)]
    return Summary(
        name=name,
        seconds=result.seconds,
        sent=len(timed),
        answered=len(answered),
        conversations_done=result.completed_in_window(),
        p50=statistics.median(answered) if answered else float("nan"),
        p95=percentile(answered, 0.95) if answered else float("nan"),
        p99=percentile(answered, 0.99) if answered else float("nan"),
        errors=Counter(a.outcome for a in timed if a.outcome != OK),
    )


def print_warm_up_failures(profile: str, failed: list[Conversation]) -> None:
    """Say which scripts did not pass once on a quiet stack (a script or bot problem)."""
    for conversation in failed:
        print(
            f"  ! {profile} warm-up: {conversation.script} did not complete: {conversation.problem}"
        )


def print_table(summaries: list[Summary], *, citizens: int, think: float) -> None:
    """Throughput, latency and errors per profile, then production / embedded ratios."""
    kinds = sorted({kind for summary in summaries for kind in summary.errors})
    header = (
        f"{'profile':<28} {'s':>4} {'sent':>6} {'answered':>8} {'msg/s':>7} {'convs':>6} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    print(f"\n{citizens} citizens, think time {think:.1f} s mean; {RATE_LIMIT_NOTE}\n")
    print(header)
    print("-" * len(header))
    for s in summaries:
        print(
            f"{s.name:<28} {s.seconds:>4.0f} {s.sent:>6} {s.answered:>8} {s.throughput:>7.2f} "
            f"{s.conversations_done:>6} {s.p50:>8.0f} {s.p95:>8.0f} {s.p99:>8.0f} "
            f"{sum(s.errors.values()):>7}"
        )
    for other in summaries[1:]:
        base = summaries[0]
        label = f"ratio {other.name.split()[0]}/{base.name.split()[0]}"
        print(
            f"{label:<28} {'':>4} {'':>6} {'':>8} {other.throughput / base.throughput:>7.2f} "
            f"{other.conversations_done / max(1, base.conversations_done):>6.2f} "
            f"{other.p50 / base.p50:>8.2f} {other.p95 / base.p95:>8.2f} "
            f"{other.p99 / base.p99:>8.2f}"
        )
    if kinds:
        print("\nerrors by kind (each attempt; a citizen presses send once more after no answer)")
        for s in summaries:
            print(f"  {s.name:<28} " + ", ".join(f"{k}: {s.errors[k]}" for k in kinds))


async def run_profile(profile: str, args: argparse.Namespace) -> Summary:
    """Start `profile`, warm up, load it for the duration, check the ledger; stop it."""
    with start_profile(profile, model=args.model, replicas=args.replicas) as stack:
        open_desk(stack)
        print_warm_up_failures(profile, await warm_up(stack.web_url))
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(args.duration, stop.set)
        print(f"{profile}: {args.citizens} citizens for {args.duration:.0f} s ...", flush=True)
        result = await run_citizens(
            stack.web_url, citizens=args.citizens, stop=stop, think_seconds=args.think
        )
        print(f"\nledger, {profile} (back office {stack.database_url.split(':')[0]}):")
        ledger_ok = print_ledger(*verify(stack.database_url, result.conversations))
        if not ledger_ok:
            print("  ✗ something the citizens were told is missing or duplicated")
        save_logs(stack, args.logs, profile)
        name = (
            "embedded (baseline)"
            if profile == "embedded"
            else f"production ({len(stack.rasa_names)} rasa, {stack.web_workers} web)"
        )
    return summarise(name, result)


async def run(args: argparse.Namespace) -> int:
    """Run the profiles in order; print the table. Exit status 1 if a profile could not run."""
    summaries: list[Summary] = []
    status = 0
    for profile in args.profiles:
        try:
            summaries.append(await run_profile(profile, args))
        except ProfileUnavailableError as error:
            print(f"\n✗ {profile}: not run: {error}", file=sys.stderr)
            status = 1
        except StackError as error:
            first_line = str(error).splitlines()[0]
            print(f"\n✗ {profile}: the stack did not start: {first_line}", file=sys.stderr)
            print(str(error)[-3000:], file=sys.stderr)
            status = 1
    if summaries:
        print_table(summaries, citizens=args.citizens, think=args.think)
    return status


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=50, help="concurrent citizens (50)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between a citizen's messages (1.0 s)"
    )
    parser.add_argument("--replicas", type=int, default=2, help="rasa replicas in production (2)")
    parser.add_argument(
        "--profiles",
        type=lambda text: [p for p in text.split(",") if p],
        default=list(PROFILES),
        help="comma-separated, in order (embedded,production)",
    )
    parser.add_argument("--model", type=Path, default=None, help="model (default: the newest)")
    parser.add_argument("--logs", type=Path, default=None, help="copy the process logs here")
    return parser.parse_args(argv)


def main() -> None:
    """Entry point."""
    sys.exit(asyncio.run(run(parse_args())))


if __name__ == "__main__":
    main()
