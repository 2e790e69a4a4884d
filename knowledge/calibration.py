"""Choose BM25 weights and decision thresholds from the articles themselves.

Leave-one-out: each example question is removed from its article in turn and asked as a new
question, which imitates a citizen phrasing the article has not seen. Weights are chosen for
leave-one-out top-1; thresholds trade correct direct answers against wrong ones and against
out-of-scope questions (``tests/knowledge/calibration_negatives.yml``) that would be answered.
The paraphrase set used for evaluation is deliberately not used here.

Run ``python -m knowledge.calibration`` and copy the printed values into ``knowledge/search.yml``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.bm25_index import Query
from knowledge.loader import KnowledgeBase, load_knowledge_base
from knowledge.search import SIGNALS, KnowledgeIndex, decide
from knowledge.search_settings import DocumentRepeats, SearchSettings, SignalWeights, Thresholds
from knowledge.store import build_index_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NEGATIVES = PROJECT_ROOT / "tests" / "knowledge" / "calibration_negatives.yml"

REPEAT_GRID = {"title": (1, 2, 3), "questions": (1, 2), "answer": (0, 1)}
WEIGHT_GRID = {"best_question": (0.0, 0.5, 1.0), "characters": (0.0, 0.15, 0.3, 0.5, 0.75)}
BM25_GRID = {"k1": (0.9, 1.2, 1.6), "b": (0.5, 0.75)}
# Thresholds are chosen so that, on leave-one-out questions, at least this share of direct answers
# is right and no out-of-scope calibration question is answered directly; within that, as many
# questions as possible are answered directly.
MIN_ANSWER_PRECISION = 0.95
# Suggestions: dropping a question whose article is in the top three costs 1 (per share of
# positives); suggesting titles for an out-of-scope question costs this much (per share of
# negatives).
COST_NEGATIVE_SUGGESTED = 2.0


@dataclass(frozen=True)
class Sample:
    """Per-field scores of one question against every article.

    Attributes:
        expected: Position of the right article, or ``None`` for an out-of-scope question.
        scores: Field → score per article position.
        perfect: Field → score of a perfect match.
    """

    expected: int | None
    scores: dict[str, list[float]]
    perfect: dict[str, float]


@dataclass(frozen=True)
class Outcome:
    """Ranking of one sample under given weights.

    Attributes:
        expected: Position of the right article (``None`` when out of scope).
        ranked: Article positions, best first (top three).
        best: Confidence of the top article.
        second: Confidence of the runner-up.
    """

    expected: int | None
    ranked: tuple[int, ...]
    best: float
    second: float


def leave_one_out_samples(index: KnowledgeIndex) -> list[Sample]:
    """Score every example question against the articles with that question held out.

    Args:
        index: An index built with the settings to test.

    Returns:
        One sample per example question.
    """
    articles = index.articles
    samples = []
    for position, article in enumerate(articles):
        for held_out, question in enumerate(article.questions):
            others = article.questions[:held_out] + article.questions[held_out + 1 :]
            reduced = list(articles)
            reduced[position] = article.model_copy(update={"questions": others})
            indexes = index.build_indexes(reduced)
            query = index.query(question)
            samples.append(
                Sample(
                    expected=position,
                    scores=index.signal_scores(query, indexes),
                    perfect=index.perfect_scores(query, indexes),
                )
            )
    return samples


def negative_samples(index: KnowledgeIndex, questions: Sequence[str]) -> list[Sample]:
    """Score out-of-scope questions against the full index."""
    samples = []
    for question in questions:
        query: Query = index.query(question)
        samples.append(
            Sample(
                expected=None,
                scores=index.signal_scores(query),
                perfect=index.perfect_scores(query),
            )
        )
    return samples


def rank(
    sample: Sample, weights: SignalWeights, related: frozenset[tuple[int, int]] = frozenset()
) -> Outcome:
    """Combine signal scores with weights, as :class:`KnowledgeIndex` does.

    Args:
        sample: Scores of one question.
        weights: Signal weights.
        related: Pairs of article positions linked by ``related`` (margin ignores them).

    Returns:
        The ranking and the confidences the decision uses.
    """
    values = weights.model_dump()
    count = len(sample.scores["article"])
    totals = [sum(values[s] * sample.scores[s][i] for s in SIGNALS) for i in range(count)]
    perfect = sum(values[s] * sample.perfect[s] for s in SIGNALS)
    order = [i for i in sorted(range(count), key=lambda i: -totals[i]) if totals[i] > 0]

    def confidence(position: int) -> float:
        return min(totals[position] / perfect, 1.0) if perfect > 0 else 0.0

    best = confidence(order[0]) if order else 0.0
    competitors = [i for i in order[1:] if (order[0], i) not in related]
    second = confidence(competitors[0]) if competitors else 0.0
    return Outcome(expected=sample.expected, ranked=tuple(order[:3]), best=best, second=second)


def related_positions(index: KnowledgeIndex) -> frozenset[tuple[int, int]]:
    """Pairs of article positions that editors linked with ``related``."""
    ids = [article.id for article in index.articles]
    return frozenset(
        (first, second)
        for first, a in enumerate(ids)
        for second, b in enumerate(ids)
        if first != second and index.related(a, b)
    )


def accuracy(outcomes: Sequence[Outcome]) -> tuple[float, float]:
    """Return top-1 and top-3 accuracy of in-scope outcomes."""
    positives = [o for o in outcomes if o.expected is not None]
    top1 = sum(bool(o.ranked) and o.ranked[0] == o.expected for o in positives)
    top3 = sum(o.expected in o.ranked for o in positives)
    return top1 / len(positives), top3 / len(positives)


def answer_precision(outcomes: Sequence[Outcome], thresholds: Thresholds) -> tuple[int, int, int]:
    """Count direct answers: right ones, wrong ones, and out-of-scope questions answered."""
    right = wrong = negatives = 0
    for outcome in outcomes:
        if decide(outcome.best, outcome.second, thresholds)[0] != "answer":
            continue
        if outcome.expected is None:
            negatives += 1
        elif outcome.ranked[0] == outcome.expected:
            right += 1
        else:
            wrong += 1
    return right, wrong, negatives


def suggestion_cost(outcomes: Sequence[Outcome], thresholds: Thresholds) -> float:
    """Share of findable positives dropped plus weighted share of negatives not dropped."""
    dropped = findable = suggested = negatives = 0
    for outcome in outcomes:
        decision = decide(outcome.best, outcome.second, thresholds)[0]
        if outcome.expected is None:
            negatives += 1
            suggested += decision != "none"
        elif outcome.expected in outcome.ranked:
            findable += 1
            dropped += decision == "none"
    return dropped / max(findable, 1) + COST_NEGATIVE_SUGGESTED * suggested / max(negatives, 1)


def choose_thresholds(outcomes: Sequence[Outcome]) -> Thresholds:
    """Choose answer thresholds by precision, then the suggestion threshold by cost."""
    steps = [round(0.05 * step, 2) for step in range(2, 20)]
    margins = [round(0.05 * step, 2) for step in range(0, 13)]
    best_answer: tuple[int, float, float] | None = None  # (right answers, confidence, margin)
    for confidence, margin in itertools.product(steps, margins):
        thresholds = Thresholds(
            answer_min_confidence=confidence,
            answer_min_margin=margin,
            suggest_min_confidence=min(steps),
        )
        right, wrong, negatives = answer_precision(outcomes, thresholds)
        if negatives or right + wrong == 0 or right / (right + wrong) < MIN_ANSWER_PRECISION:
            continue
        if best_answer is None or right > best_answer[0]:
            best_answer = (right, confidence, margin)
    _, confidence, margin = best_answer or (0, 1.0, 1.0)
    candidates = [
        Thresholds(
            answer_min_confidence=confidence,
            answer_min_margin=margin,
            suggest_min_confidence=suggest,
        )
        for suggest in steps
        if suggest <= confidence
    ]
    return min(candidates, key=lambda thresholds: suggestion_cost(outcomes, thresholds))


def calibrate(
    knowledge_base: KnowledgeBase, negatives: Sequence[str], *, thresholds_only: bool = False
) -> tuple[SearchSettings, list[str]]:
    """Find document repeats, signal weights, BM25 parameters and thresholds.

    Repeats and weights are searched first with the current k1 and b, then k1 and b with the
    chosen repeats (a full grid would take too long for a command editors can run).

    Args:
        knowledge_base: The articles.
        negatives: Out-of-scope questions.
        thresholds_only: Keep repeats, weights, k1 and b from ``search.yml`` (fast).

    Returns:
        The recommended settings and report lines.
    """
    base = build_index_for(knowledge_base)
    log: list[str] = []
    best: _Candidate | None = None
    if thresholds_only:
        best = _try(base, base.settings, negatives, weights=[base.settings.weights])
        return _finish(best, log)
    for title, questions, answer in itertools.product(*REPEAT_GRID.values()):
        repeats = DocumentRepeats(title=title, questions=questions, answer=answer)
        best = _best_of(
            best, _try(base, base.settings.model_copy(update={"document": repeats}), negatives)
        )
    assert best is not None
    log.append(f"repeats {best.settings.document.model_dump()}: leave-one-out top1 {best.top1:.3f}")
    for k1, b in itertools.product(BM25_GRID["k1"], BM25_GRID["b"]):
        best = _best_of(
            best, _try(base, best.settings.model_copy(update={"k1": k1, "b": b}), negatives)
        )
    log.append(f"k1={best.settings.k1} b={best.settings.b}: leave-one-out top1 {best.top1:.3f}")
    return _finish(best, log)


def _finish(best: _Candidate, log: list[str]) -> tuple[SearchSettings, list[str]]:
    thresholds = choose_thresholds(best.outcomes)
    chosen = best.settings.model_copy(update={"thresholds": thresholds})
    decisions = [decide(o.best, o.second, thresholds)[0] for o in best.outcomes]
    pairs = list(zip(best.outcomes, decisions, strict=True))
    positives = [(o, d) for o, d in pairs if o.expected is not None]
    negatives_out = [d for o, d in pairs if o.expected is None]
    answered = [o for o, d in positives if d == "answer"]
    wrong = sum(o.ranked[0] != o.expected for o in answered)
    log += [
        f"chosen: k1={chosen.k1} b={chosen.b} document={chosen.document.model_dump()} "
        f"weights={chosen.weights.model_dump()}",
        f"leave-one-out top1={best.top1:.3f} top3={best.top3:.3f} (n={len(positives)})",
        f"thresholds={thresholds.model_dump()}",
        f"positives: answered={len(answered)} (wrong {wrong}), "
        f"suggested={sum(d == 'suggest' for _, d in positives)}, "
        f"none={sum(d == 'none' for _, d in positives)}",
        f"negatives: answered={negatives_out.count('answer')} "
        f"suggested={negatives_out.count('suggest')} none={negatives_out.count('none')} "
        f"(n={len(negatives_out)})",
    ]
    return chosen, log


@dataclass(frozen=True)
class _Candidate:
    settings: SearchSettings
    top1: float
    top3: float
    outcomes: list[Outcome]


def _try(
    base: KnowledgeIndex,
    settings: SearchSettings,
    negatives: Sequence[str],
    *,
    weights: Sequence[SignalWeights] | None = None,
) -> _Candidate:
    index = KnowledgeIndex(base.knowledge_base, tokenizer=base.tokenizer, settings=settings)
    samples = leave_one_out_samples(index) + negative_samples(index, negatives)
    best: _Candidate | None = None
    grid = weights or [
        SignalWeights(article=1.0, best_question=best_question, characters=characters)
        for best_question, characters in itertools.product(*WEIGHT_GRID.values())
    ]
    related = related_positions(index)
    for weights_tried in grid:
        outcomes = [rank(sample, weights_tried, related) for sample in samples]
        top1, top3 = accuracy(outcomes)
        candidate = _Candidate(
            settings=settings.model_copy(update={"weights": weights_tried}),
            top1=top1,
            top3=top3,
            outcomes=outcomes,
        )
        best = _best_of(best, candidate)
    assert best is not None
    return best


def _best_of(current: _Candidate | None, candidate: _Candidate) -> _Candidate:
    if current is None or (candidate.top1, candidate.top3) > (current.top1, current.top3):
        return candidate
    return current


def main(argv: Sequence[str] | None = None) -> int:
    """Print recommended search settings."""
    parser = argparse.ArgumentParser(description="根据文章本身校准检索权重和阈值")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT / "knowledge")
    parser.add_argument("--negatives", type=Path, default=DEFAULT_NEGATIVES)
    parser.add_argument(
        "--thresholds-only",
        action="store_true",
        help="只校准阈值，沿用 search.yml 中的其他参数（约一分钟）",
    )
    args = parser.parse_args(argv)
    negatives = yaml.safe_load(args.negatives.read_text(encoding="utf-8"))["questions"]
    settings, log = calibrate(
        load_knowledge_base(args.root), negatives, thresholds_only=args.thresholds_only
    )
    print("\n".join(log))
    print("--- search.yml ---")
    print(yaml.safe_dump(settings.model_dump(), allow_unicode=True, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
