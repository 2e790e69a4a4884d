"""Replay the knowledge stage of the last gateway evaluation with today's knowledge base.

``python -m testkit.citizen_eval`` records what every sentence got
(``reports/nlu/citizen_outcomes.jsonl``). A change to articles, keywords, referrals or search
thresholds changes only the replies of the knowledge stage (an answer, a menu, a referral, another
department, 没太明白); this decides those sentences again with ``knowledge.reply.decide_reply``,
the function the action server uses, and prints per set how many land in the right place before
and after. Sealed sets give counts only; for readable sets the sentences that changed are listed.
What the NLU did (a service started, out of scope, a question back) is kept as recorded, so a
change to the training data or the dialogue still needs a full ``make eval-nlu``.

Usage: ``python -m testkit.citizen_replay [--outcomes reports/nlu/citizen_outcomes.jsonl]``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import get_args

from knowledge.referrals import AgencyPointer
from knowledge.reply import KnowledgeReply, ReplyKind, decide_reply
from knowledge.store import KnowledgeStore, get_store
from testkit.citizen_eval import REPORT_DIR, right_place, score
from testkit.citizen_outcomes import Outcome
from testkit.citizen_record import OUTCOMES_FILE, read_outcomes
from testkit.citizen_sets import SEALED_PREFIX, Item, load_heldout, load_real
from testkit.nlu_heldout import MAX_CHARS
from zhtext.normalise import normalise

# The outcomes the knowledge stage gives (``actions.knowledge.answer_or_fall_back``): the kinds of
# ``decide_reply``'s civil-affairs replies, and another department.
KNOWLEDGE_KINDS = frozenset(get_args(ReplyKind)) | {"other_agency"}


def outcome_of(reply: AgencyPointer | KnowledgeReply) -> Outcome:
    """The outcome a citizen would see for a knowledge-stage decision (as ``classify`` reads it)."""
    if isinstance(reply, AgencyPointer):
        return Outcome("other_agency")
    if reply.kind == "answer" and reply.article is not None:
        return Outcome("answer", (reply.article.topic,), reply.article.id)
    if reply.kind == "suggest":
        topics = dict.fromkeys(match.topic for match in reply.result.suggestions)
        ids = ",".join(match.article_id for match in reply.result.suggestions)
        return Outcome("suggest", tuple(topics), ids)
    if reply.kind == "referral" and reply.referral is not None:
        return Outcome("referral", (reply.referral.topic,))
    return Outcome("not_understood")


def replayed(item: Item, recorded: Outcome, store: KnowledgeStore) -> Outcome:
    """What the sentence would get now: decided again if the knowledge stage replied to it."""
    if recorded.kind not in KNOWLEDGE_KINDS:
        return recorded
    question = normalise(item.text, max_chars=MAX_CHARS).text
    return outcome_of(decide_reply(store, question))


def compare(
    recorded: Sequence[tuple[Item, Outcome]], store: KnowledgeStore
) -> tuple[str, list[str]]:
    """The per-set table (before → after) and the readable sentences whose place changed."""
    now = [(item, replayed(item, outcome, store)) for item, outcome in recorded]
    before, after = score(recorded), score(now)
    rows = [
        "| set | sentences | right place before | after | change | 没太明白 before | after |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, old in before.items():
        new = after[name]
        rows.append(
            f"| {name} | {old.total} | {old.right} | {new.right} | {new.right - old.right:+d} "
            f"| {old.not_understood} | {new.not_understood} |"
        )
    changed = [
        f"{'+' if right_place(item, new) else '-'} [{item.set_name}] {item.text}: "
        f"{old.label()} → {new.label()}"
        for (item, old), (_, new) in zip(recorded, now, strict=True)
        if right_place(item, old) != right_place(item, new)
        and not item.set_name.startswith(SEALED_PREFIX)
    ]
    return "\n".join(rows), changed


def main(argv: Sequence[str] | None = None) -> int:
    """Read the recorded outcomes, decide the knowledge-stage ones again, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outcomes", type=Path, default=REPORT_DIR / OUTCOMES_FILE)
    args = parser.parse_args(argv)
    if not args.outcomes.is_file():
        print(f"没有找到 {args.outcomes}：请先运行 python -m testkit.citizen_eval")
        return 2
    items = load_real() + load_heldout() + load_real(sealed=True)
    table, changed = compare(read_outcomes(args.outcomes, items), get_store())
    print(table)
    print("\n".join(["", "readable sentences whose place changed (+ now right, - now wrong):"]))
    print("\n".join(changed) or "(none)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
