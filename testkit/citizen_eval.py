"""`make eval-nlu` (second part): what a citizen sees, scored through the real web gateway.

Every evaluation sentence is sent as the first message of a fresh web-chat conversation to a live
stack (rasa, action server, web; ``testkit.stack``). What the assistant did is read from the Rasa
tracker (which actions ran, which responses were uttered, which article was answered) and sorted
into one outcome:

- ``service:<area>``: a service form or look-up started (marriage, assistance, eldercare, charity,
  handoff); ``confirm:<area>``: the assistant asked once whether the citizen wants that service;
- ``answer:<topic>`` / ``suggest:<topics>``: a knowledge-base answer or a menu of articles;
- ``referral:<topic>``: "no verified answer yet", the office in charge and 转人工;
- ``not_understood`` (没太明白 or the 转人工 offer after it), ``out_of_scope``, ``other_agency``
  ("this is another department's business", with its name and the lines), ``other:<utter>``.

Sets: ``tests/nlu/real/civil_affairs_*.yml`` (real citizens' questions, with their area) and
``tests/nlu/real/off_topic.yml`` (real off-topic queries), never trained on; plus the team's
held-out files ``tests/nlu/*.yml`` for the intents a first message can carry. A sentence that also
appears in the training data or among the knowledge base's example questions is refused: the run
stops and names it (a measure you train on stops measuring).

Scoring: a civil-affairs question is in the right place when the answer, menu, referral, service
or confirmation belongs to its area; an off-topic query is rejected when it gets out-of-scope,
没太明白 or small talk. For the sentences that should be turned away, a form or look-up that
starts is a false service start, and a question back about a service ("您是想……吗？") is
counted apart (it is a miss too, but opens nothing).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from connectors.webchat.routes import CHANNEL
from core.chat import conversation_id
from core.settings import PROJECT_ROOT
from testkit.chat import new_sender
from testkit.citizen_outcomes import Outcome, classify
from testkit.citizen_record import OUTCOMES_FILE, write_outcomes
from testkit.citizen_sets import (
    ANY_ANSWER,
    REJECT,
    SEALED_PREFIX,
    Item,
    leaked,
    load_heldout,
    load_real,
    seen_in_training,
)
from testkit.stack import LiveStack
from testkit.stack_basics import latest_model

REPORT_DIR = PROJECT_ROOT / "reports" / "nlu"
TIMEOUT_SECONDS = 60
WORKERS = 3


@dataclass
class AreaScore:
    """One area of one set: how many landed in the right place, and every outcome kind."""

    right: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def sentences(self) -> int:
        """How many sentences of the area were asked."""
        return sum(self.kinds.values())


@dataclass
class SetScore:
    """Counts for one set."""

    name: str
    total: int = 0
    right: int = 0
    civil: int = 0
    not_understood: int = 0
    false_service: int = 0
    asked_back: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    by_area: dict[str, AreaScore] = field(default_factory=dict)
    misses: list[tuple[Item, Outcome]] = field(default_factory=list)

    def share(self, count: int) -> float:
        """Count / total (0 when the set is empty)."""
        return count / self.total if self.total else 0.0

    def not_understood_share(self) -> str:
        """The share of civil-affairs questions that got 没太明白.

        "—" for a set of off-topic queries only, where 没太明白 is a right refusal.
        """
        return f"{self.not_understood / self.civil:.1%}" if self.civil else "—"


# -- one conversation -------------------------------------------------------------------------
def ask(stack: LiveStack, item: Item) -> Outcome:
    """Send the sentence as a new conversation and read what happened from the tracker."""
    sender = new_sender("eval")
    reply = httpx.post(
        f"{stack.web_url}/api/chat",
        json={"sender": sender, "message": item.text},
        timeout=TIMEOUT_SECONDS,
    )
    if reply.status_code != 200:
        return Outcome(f"http_{reply.status_code}")
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id(CHANNEL, sender)}/tracker",
        params={"token": stack.production_secrets["RASA_TOKEN"]},
        timeout=TIMEOUT_SECONDS,
    ).json()
    return classify(tracker, item.text)


# -- scoring ----------------------------------------------------------------------------------
def right_place(item: Item, outcome: Outcome) -> bool:
    """Whether the citizen got what the sentence called for."""
    if item.expected == REJECT:
        return outcome.kind in {"not_understood", "out_of_scope", "other_agency", "small_talk"}
    if item.expected == ANY_ANSWER:
        return outcome.kind in {"answer", "suggest", "referral"}
    return outcome.kind in {"service", "confirm", "answer", "suggest", "referral"} and (
        item.expected in outcome.areas
    )


def score(results: Sequence[tuple[Item, Outcome]]) -> dict[str, SetScore]:
    """Per-set counts."""
    scores: dict[str, SetScore] = {}
    for item, outcome in results:
        s = scores.setdefault(item.set_name, SetScore(item.set_name))
        s.total += 1
        s.kinds[outcome.kind] += 1
        area = s.by_area.setdefault(item.expected, AreaScore())
        area.kinds[outcome.kind] += 1
        if right_place(item, outcome):
            s.right += 1
            area.right += 1
        else:
            s.misses.append((item, outcome))
        if item.expected != REJECT:
            s.civil += 1
            s.not_understood += outcome.kind == "not_understood"
        if item.expected == REJECT and outcome.kind == "service":
            s.false_service += 1
        if item.expected == REJECT and outcome.kind == "confirm":
            s.asked_back += 1
    return scores


def set_order(name: str) -> tuple[int, str]:
    """Real sets first, then the sealed ones, then the team's held-out file."""
    rank = 0 if name.startswith("real_") else 1 if name.startswith(SEALED_PREFIX) else 2
    return rank, name


def format_scores(scores: Mapping[str, SetScore]) -> str:
    """One table: right place, 没太明白 and false service starts per set."""
    lines = [
        "| set | sentences | right place | 没太明白 (civil questions) "
        "| service started (should not) | asked back about a service (should not) | outcomes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name in sorted(scores, key=set_order):
        s = scores[name]
        kinds = ", ".join(f"{k} {v}" for k, v in s.kinds.most_common())
        lines.append(
            f"| {name} | {s.total} | {s.share(s.right):.1%} | {s.not_understood_share()} "
            f"| {s.false_service} | {s.asked_back} | {kinds} |"
        )
    return "\n".join(lines)


def format_areas(scores: Mapping[str, SetScore]) -> str:
    """Per set and area: sentences, right place and the outcome counts (no sentence is shown).

    Counts only, so it may be printed for the sealed sets too: it says where to look (which
    area, which kind of reply) without reading their sentences.
    """
    lines = [
        "| set | area | sentences | right place | outcomes |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for name in sorted(scores, key=set_order):
        for area, counts in sorted(scores[name].by_area.items()):
            kinds = ", ".join(f"{k} {v}" for k, v in counts.kinds.most_common())
            lines.append(
                f"| {name} | {area} | {counts.sentences} "
                f"| {counts.right / counts.sentences:.0%} | {kinds} |"
            )
    return "\n".join(lines)


def write_report(scores: Mapping[str, SetScore], directory: Path = REPORT_DIR) -> Path:
    """reports/nlu/citizen.json (numbers) and citizen_misses.md (every miss but the sealed ones)."""
    directory.mkdir(parents=True, exist_ok=True)
    summary = {
        name: {
            "sentences": s.total,
            "right_place": round(s.share(s.right), 4),
            "civil_affairs_questions": s.civil,
            "not_understood_among_them": round(s.not_understood / s.civil, 4) if s.civil else None,
            "false_service_starts": s.false_service,
            "asked_back_about_a_service": s.asked_back,
            "outcomes": dict(s.kinds),
            "by_area": {
                area: {"sentences": a.sentences, "right": a.right, "outcomes": dict(a.kinds)}
                for area, a in sorted(s.by_area.items())
            },
        }
        for name, s in scores.items()
    }
    (directory / "citizen.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    lines = ["# 评估未命中的句子", ""]
    for name, s in scores.items():
        if name.startswith(SEALED_PREFIX):
            # A sealed set stops being sealed once its misses are read: counts only.
            lines += [f"## {name}", "", f"封存集：{len(s.misses)} 句未命中，句子不列出。", ""]
            continue
        lines += [f"## {name}", "", "| 句子 | 应到 | 实际 |", "| --- | --- | --- |"]
        lines += [
            f"| {item.text} | {item.expected} | {outcome.label()} {outcome.detail} |"
            for item, outcome in s.misses
        ]
        lines.append("")
    path = directory / "citizen_misses.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run(items: Sequence[Item], stack: LiveStack) -> list[tuple[Item, Outcome]]:
    """Ask every sentence (a few conversations at a time, like several citizens)."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(lambda item: ask(stack, item), items))
    return list(zip(items, outcomes, strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    """Refuse leaked sentences, run every set through a fresh stack, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=["real", "heldout", "sealed"], help="run one group of sets"
    )
    parser.add_argument(
        "--model", type=Path, help="model to serve (default: the newest in models/)"
    )
    parser.add_argument("--out", type=Path, default=REPORT_DIR, help="report folder")
    parser.add_argument(
        "--by-area", action="store_true", help="also print each set's counts per area"
    )
    args = parser.parse_args(argv)
    items: list[Item] = []
    if args.only in (None, "real"):
        items += load_real()
    if args.only in (None, "heldout"):
        items += load_heldout()
    if args.only in (None, "sealed"):
        items += load_real(sealed=True)
    bad = leaked(items, seen_in_training())
    if bad:
        print("这些评估句子也出现在训练数据或知识库示例问题里，请从训练侧删掉或换掉：")
        for item in bad:
            print(f"  [{item.set_name}] {item.text}")
        return 2
    with LiveStack.start(model=args.model or latest_model()) as stack:
        results = run(items, stack)
    scores = score(results)
    misses = write_report(scores, args.out)
    write_outcomes(results, args.out / OUTCOMES_FILE)
    print(format_scores(scores))
    if args.by_area:
        print()
        print(format_areas(scores))
    print(f"\nevery miss: {misses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
