"""What the citizens saw around each fault and in each phase (bench/faults.py's tables)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bench.citizen_records import HOTLINE_503, OK, RUN_ENDED, UNEXPECTED, Attempt, LoadResult
from bench.fault_injection import CONNECTION_FAULTS, Fault, Phases
from bench.latency import percentile

UNEXPECTED_SHOWN = 8  # unexpected replies quoted after the phase table


def in_flight(attempts: Sequence[Attempt], fault: Fault) -> list[Attempt]:
    """Attempts in flight while the killed process was dying.

    Sent before it was gone (`Fault.gone_at`; the kill itself for connection faults) and
    answered (or failed) after the kill.
    """
    end = fault.gone_at if fault.gone_at is not None else fault.at
    return [a for a in attempts if a.started < end and a.started + a.latency_ms / 1000 > fault.at]


def failures_told(attempts: Sequence[Attempt], fault: Fault, phases: Phases) -> list[str]:
    """The failures counted for a fault, timed from the kill (to read a failed check).

    The attempts `FaultSummary` counts (`during`) that failed, e.g.
    ``connection error: sent +12 ms, failed after 3 ms (gone at +40 ms)``.
    """
    gone_ms = f"{(fault.gone_at - fault.at) * 1000:+.0f}" if fault.gone_at is not None else "?"
    return [
        f"{a.outcome}: sent {(a.started - fault.at) * 1000:+.0f} ms, failed after "
        f"{a.latency_ms:.0f} ms (gone at {gone_ms} ms){', a resend' if a.retry else ''}"
        for a in during(attempts, fault, phases)
        if a.outcome not in (OK, UNEXPECTED)
    ]


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
