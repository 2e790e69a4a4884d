"""The table of `make bench`: p50/p95 and throughput per target and level, ratios to the anchor.

Rows: the anchor (bare Rasa), the project's Rasa straight through its REST channel, and the full
path through the web gateway, at each level of concurrent conversations (closed loop, or paced
with think time). Ratios are against the anchor of the same level and run (and gateway / project
Rasa); the issue's targets (#22) are checked on them and printed below the table, met or not:
the p95 target on the closed-loop level and, apart, on the paced one, as citizens would see it.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from pathlib import Path

from bench.mix import Level, LevelResult

ANCHOR, RASA, GATEWAY = "anchor", "rasa", "gateway"
LABELS = {
    ANCHOR: "bare Rasa anchor",
    RASA: "project Rasa (REST)",
    GATEWAY: "full path (gateway)",
}
COLUMNS = (
    "conversations", "path", "messages", "msg/s", "p50 ms", "p95 ms",
    "unexpected", "p50 ×anchor", "p95 ×anchor", "msg/s ×anchor",
)  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (0–1) of `values`, nearest-rank (nan when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass(frozen=True)
class Row:
    """The figures of one target at one level."""

    target: str
    level: Level
    messages: int
    throughput: float
    p50: float
    p95: float
    unexpected: int

    @classmethod
    def of(cls, result: LevelResult) -> Row:
        """Summarise one level's result (answered messages within the timed window)."""
        latencies = [s.latency_ms for s in result.samples]
        return cls(
            target=result.target,
            level=result.level,
            messages=len(latencies),
            throughput=len(latencies) / result.seconds if result.seconds else math.nan,
            p50=statistics.median(latencies) if latencies else math.nan,
            p95=percentile(latencies, 0.95),
            unexpected=sum(not s.ok for s in result.samples) + len(result.problems),
        )


def _ratio(value: float, base: float) -> float:
    return value / base if base and not math.isnan(base) else math.nan


def table_rows(rows: list[Row]) -> list[list[str]]:
    """The table's cells, one list per row, in the order of `COLUMNS`."""
    anchors = {row.level: row for row in rows if row.target == ANCHOR}
    cells = []
    for row in rows:
        base = anchors.get(row.level)
        cells.append(
            [
                row.level.label,
                LABELS.get(row.target, row.target),
                str(row.messages),
                f"{row.throughput:.1f}",
                f"{row.p50:.0f}",
                f"{row.p95:.0f}",
                str(row.unexpected),
                f"{_ratio(row.p50, base.p50):.2f}" if base else "",
                f"{_ratio(row.p95, base.p95):.2f}" if base else "",
                f"{_ratio(row.throughput, base.throughput):.2f}" if base else "",
            ]
        )
    return cells


def markdown(rows: list[Row]) -> str:
    """The table as Markdown."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "| " + " | ".join("---" for _ in COLUMNS) + " |"]
    lines += ["| " + " | ".join(cells) + " |" for cells in table_rows(rows)]
    return "\n".join(lines)


def verdicts(rows: list[Row]) -> list[str]:
    """The targets of issue #22, each with the measured value and met / not met."""
    found = {(row.target, row.level): row for row in rows}
    lines: list[str] = []

    def check(label: str, value: float, limit: float, *, at_most: bool) -> None:
        met = value <= limit if at_most else value >= limit
        sign = "≤" if at_most else "≥"
        lines.append(
            f"- {label}: {value:.2f} (target {sign} {limit}) {'met' if met else 'NOT met'}"
        )

    one = Level(1)
    one_anchor, one_rasa = found.get((ANCHOR, one)), found.get((RASA, one))
    if one_anchor and one_rasa:
        check("1 conversation, project p50 / anchor p50", one_rasa.p50 / one_anchor.p50, 1.5,
              at_most=True)  # fmt: skip
    closed = [row.level for row in rows if not row.level.paced]
    many = max(closed, default=one)
    many_anchor, many_rasa = found.get((ANCHOR, many)), found.get((RASA, many))
    if many_anchor and many_rasa:
        check(f"{many.label} conversations, project msg/s / anchor msg/s",
              many_rasa.throughput / many_anchor.throughput, 0.8, at_most=False)  # fmt: skip
    for level in sorted({row.level for row in rows if row.level.conversations > 1}):
        gateway = found.get((GATEWAY, level))
        if gateway:
            check(f"{level.label} conversations, full path p95 (s)", gateway.p95 / 1000, 1.0,
                  at_most=True)  # fmt: skip
    for level in sorted({row.level for row in rows}):
        rasa, gateway = found.get((RASA, level)), found.get((GATEWAY, level))
        if rasa and gateway:
            check(f"{level.label} conversation(s), gateway p50 / project Rasa p50",
                  gateway.p50 / rasa.p50, 1.1, at_most=True)  # fmt: skip
    return lines


def report(rows: list[Row], *, heading: str, problems: list[str]) -> str:
    """The whole report: heading, table, targets, and the first problems seen."""
    parts = [heading, "", markdown(rows), "", "Targets (#22):", *verdicts(rows)]
    if problems:
        parts += ["", f"Unexpected replies or errors ({len(problems)}; first 10):"]
        parts += [f"- {problem}" for problem in problems[:10]]
    return "\n".join(parts) + "\n"


def write_report(text: str, directory: Path, stamp: str) -> Path:
    """Write the report to `directory`/mix-<stamp>.md and mix-latest.md; the first path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"mix-{stamp}.md"
    path.write_text(text, encoding="utf-8")
    (directory / "mix-latest.md").write_text(text, encoding="utf-8")
    return path
