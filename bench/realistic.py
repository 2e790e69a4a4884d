"""`make bench`: the realistic mix on the project next to a bare-Rasa anchor, in one run.

`python -m bench.realistic [--seconds 40] [--rounds 2] [--levels 1,20,20@3]` trains the anchor once
(bench/anchor.py, cached outside models/), starts it and the project's embedded stack
(testkit.stack, the newest model in models/ or $STACK_MODELS_DIR), plays every conversation once
on each (warm-up and script check), then measures at each level of concurrent conversations,
alternating anchor → project Rasa (REST) → full path (gateway) round by round so drift hits all
three; at one conversation they alternate message by message (`bench.mix.run_interleaved`).
Prints the table (bench/mix_report.py) and writes it to reports/bench/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os

from bench.anchor import AnchorStack, anchor_model
from bench.citizen_scripts import Identities
from bench.mix import (
    Level,
    LevelResult,
    Target,
    anchor_scripts,
    mix_scripts,
    run_interleaved,
    run_level,
    via_gateway,
    via_rasa,
    warm_up,
)
from bench.mix_report import ANCHOR, GATEWAY, RASA, Row, report, write_report
from core.settings import PROJECT_ROOT
from testkit.stack import LiveStack

REPORT_DIR = PROJECT_ROOT / "reports" / "bench"


async def measure(
    targets: list[Target], *, levels: list[Level], seconds: float, rounds: int
) -> tuple[list[Row], list[str]]:
    """Warm every target up, then measure each level, the targets alternating per round."""
    identities = Identities(seed=22)
    problems: list[str] = []
    for target in targets:
        seen = await warm_up(target, identities)
        problems += [f"warm-up {target.name}: {problem}" for problem in seen]
        for problem in seen:
            print(f"  ! warm-up {target.name}: {problem}")
    rows = []
    for level in levels:
        results = {target.name: LevelResult(target.name, level) for target in targets}
        for _ in range(rounds):
            if level == Level(1):
                for result in await run_interleaved(
                    targets, seconds=seconds / rounds, identities=identities
                ):
                    results[result.target].merge(result)
                continue
            for target in targets:
                result = await run_level(
                    target, level=level, seconds=seconds / rounds, identities=identities
                )
                results[target.name].merge(result)
        for target in targets:
            rows.append(Row.of(results[target.name]))
            problems += [
                f"{target.name} ×{level.label}: {p}" for p in results[target.name].problems
            ]
    return rows, problems


def main() -> None:
    """Run the benchmark, print the table and write it to reports/bench/."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=40.0, help="timed seconds per level")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per level")
    parser.add_argument(
        "--levels",
        default="1,20,20@3",
        help="concurrent conversations, comma-separated; N@S: citizens think S s (mean) per turn",
    )
    args = parser.parse_args()
    levels = [Level.parse(level) for level in args.levels.split(",")]
    started = dt.datetime.now(dt.UTC)
    model = anchor_model()
    with LiveStack.start() as stack, AnchorStack.start(model) as anchor:
        targets = [
            Target(ANCHOR, anchor_scripts(), via_rasa(anchor.rasa_url)),
            Target(RASA, mix_scripts(), via_rasa(stack.rasa_url)),
            Target(GATEWAY, mix_scripts(), via_gateway(stack.web_url)),
        ]
        rows, problems = asyncio.run(
            measure(targets, levels=levels, seconds=args.seconds, rounds=args.rounds)
        )
        project_model = stack.model.name
    heading = (
        f"# make bench: realistic mix ({started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"model {project_model}, {args.seconds:.0f} s per level in {args.rounds} rounds; "
        "latency per message)"
    )
    text = report(rows, heading=heading, problems=problems)
    print("\n" + text)
    path = write_report(text, REPORT_DIR, f"{started:%Y%m%d-%H%M}")
    print(f"written to {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
