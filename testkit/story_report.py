"""Readable result of `make test-stories` from the files `rasa test core` wrote.

Rasa's own ``--fail-on-prediction-errors`` stops at the first wrong action and then writes no
report at all (no failed_test_stories.yml, no confusion matrix). So the Makefile runs
``rasa test core`` without it, and this module fails the target instead when any story failed,
after printing which story, where, what was expected and what was predicted.

    .venv/bin/python -m testkit.story_report reports/stories [--stories tests/stories]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import PROJECT_ROOT

_STORY = re.compile(r"^- story:\s*(?P<name>.+?)\s*$")
_PREDICTED = re.compile(
    r"^\s*- (?P<kind>action|intent|user|slot_was_set|active_loop):\s*(?P<expected>.*?)"
    r"\s*# predicted:\s*(?P<predicted>.+?)\s*$"
)
REPORT_FILES = (
    "failed_test_stories.yml",
    "stories_with_warnings.yml",
    "story_report.json",
    "story_confusion_matrix.png",
    "TEDPolicy_report.json",
    "TEDPolicy_confusion_matrix.png",
)


@dataclass
class FailedStory:
    """A story with at least one wrong prediction (steps counted from 1)."""

    name: str
    mistakes: list[tuple[int, str, str, str]] = field(default_factory=list)


def parse_failed_stories(text: str) -> list[FailedStory]:
    """Stories and their ``# predicted:`` lines from Rasa's failed_test_stories.yml."""
    stories: list[FailedStory] = []
    step = 0
    for line in text.splitlines():
        story = _STORY.match(line)
        if story:
            stories.append(FailedStory(name=story["name"]))
            step = 0
            continue
        if stories and line.lstrip().startswith("- "):
            step += 1
        mistake = _PREDICTED.match(line)
        if mistake and stories:
            stories[-1].mistakes.append(
                (step, mistake["kind"], mistake["expected"], mistake["predicted"])
            )
    return stories


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def summarise(out: Path, stories_dir: Path) -> tuple[bool, str]:
    """(passed, text) for the reports in `out`."""
    report_path = out / "story_report.json"
    if not report_path.exists():
        return False, f"no {report_path}: rasa test core did not finish (see {out}/rasa_test.log)"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    conversations = report.get("conversation_accuracy", {})
    total, correct = int(conversations.get("total", 0)), int(conversations.get("correct", 0))
    actions = report.get("micro avg") or report.get("weighted avg") or {}
    failed_path = out / "failed_test_stories.yml"
    failed = (
        parse_failed_stories(failed_path.read_text(encoding="utf-8"))
        if failed_path.exists()
        else []
    )
    lines = [
        f"story tests ({_relative(stories_dir)}): {correct}/{total} stories passed, "
        f"{int(conversations.get('with_warnings', 0))} with warnings; "
        f"action accuracy {float(report.get('accuracy', 0.0)):.1%} "
        f"over {int(actions.get('support', 0))} predicted actions",
    ]
    for story in failed:
        lines.append(f"✗ {story.name}")  # Rasa appends the file to the name
        lines += [
            f"    step {step}: expected {kind} {expected!r}, the model predicted {predicted!r}"
            for step, kind, expected, predicted in story.mistakes
        ]
    written = [name for name in REPORT_FILES if (out / name).exists()]
    lines.append(f"reports in {out}/: {', '.join(written)}")
    passed = total > 0 and correct == total and not failed
    if not passed:
        lines.append(f"story tests FAILED: the failed stories are in {failed_path}")
    return passed, "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the summary; exit 1 when a story failed."""
    parser = argparse.ArgumentParser(description="Summarise `rasa test core` reports.")
    parser.add_argument("out", type=Path, nargs="?", default=PROJECT_ROOT / "reports" / "stories")
    parser.add_argument("--stories", type=Path, default=PROJECT_ROOT / "tests" / "stories")
    args = parser.parse_args(argv)
    passed, text = summarise(args.out, args.stories)
    print(text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
