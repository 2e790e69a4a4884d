"""The top unanswered questions, near-duplicates counted together.

Two questions are near-duplicates when their character bigrams (after dropping punctuation,
spaces and sentence-final particles) overlap by at least `unanswered_similarity` (Jaccard), or
one normalised question contains the other. Groups are formed greedily, most frequent wording
first, so the representative of a group is its most common wording.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

PARTICLES = "吗呢啊呀吧么嘛哦哈啦"
EPOCH = dt.datetime(1970, 1, 1)


def normalise(text: str) -> str:
    """Width-folded text without punctuation, spaces and trailing particles."""
    folded = unicodedata.normalize("NFKC", text).lower()
    kept = "".join(c for c in folded if unicodedata.category(c)[0] in "LN")
    return kept.rstrip(PARTICLES) or kept


def bigrams(text: str) -> set[str]:
    """Character bigrams (the single character for one-character text)."""
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similar(a: str, b: str, threshold: float) -> bool:
    """Whether two normalised questions count as the same question."""
    if not a or not b:
        return a == b
    if a in b or b in a:
        return True
    left, right = bigrams(a), bigrams(b)
    return len(left & right) / len(left | right) >= threshold


@dataclass
class QuestionGroup:
    """Near-duplicate questions: the most common wording and the others."""

    question: str
    count: int = 0
    variants: list[str] = field(default_factory=list)
    last_asked: dt.datetime | None = None


def group_questions(
    asked: list[tuple[str, dt.datetime]], *, threshold: float, limit: int = 20
) -> list[QuestionGroup]:
    """Groups of `(question, moment)` pairs, largest first (then most recent)."""
    wordings: Counter[str] = Counter()
    original: dict[str, str] = {}
    latest: dict[str, dt.datetime] = {}
    for text, at in asked:
        key = normalise(text)
        wordings[key] += 1
        original.setdefault(key, text.strip())
        latest[key] = max(latest.get(key, at), at)
    groups: list[tuple[str, QuestionGroup]] = []
    for key, count in sorted(wordings.items(), key=lambda item: (-item[1], item[0])):
        home = next((g for rep, g in groups if similar(rep, key, threshold)), None)
        if home is None:
            home = QuestionGroup(question=original[key])
            groups.append((key, home))
        elif original[key] not in home.variants:
            home.variants.append(original[key])
        home.count += count
        moment = latest[key]
        home.last_asked = moment if home.last_asked is None else max(home.last_asked, moment)
    ordered = sorted(
        (group for _, group in groups),
        key=lambda g: (-g.count, -((g.last_asked or EPOCH) - EPOCH).total_seconds()),
    )
    return ordered[:limit]
