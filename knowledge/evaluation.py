"""Retrieval accuracy on a paraphrase set (``tests/knowledge/paraphrases.yml``).

Run ``python -m knowledge.evaluation`` for a report; ``bench`` calls :func:`evaluate`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from knowledge.loader import KnowledgeBase
from knowledge.search import KnowledgeIndex
from knowledge.search_results import Decision
from knowledge.yamlfile import read_yaml, validate_document

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PARAPHRASES = PROJECT_ROOT / "tests" / "knowledge" / "paraphrases.yml"
NONE = "none"


class Paraphrase(BaseModel):
    """One evaluation question.

    Attributes:
        q: The question as a citizen might write it.
        expect: Expected top article id, or ``none`` when nothing should be answered.
        traditional: Written in Traditional characters on purpose (reported separately).
        misspelling: Contains a typo or homophone.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str
    expect: str
    traditional: bool = False
    misspelling: bool = False


class ParaphraseFile(BaseModel):
    """Content of the paraphrase file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paraphrases: tuple[Paraphrase, ...] = Field(min_length=1)


class Miss(BaseModel):
    """A question whose expected article was not ranked first.

    Attributes:
        q: The question.
        expect: Expected article id (or ``none``).
        got: Ids ranked first to third.
        decision: The decision taken.
    """

    q: str
    expect: str
    got: list[str]
    decision: Decision


class EvaluationReport(BaseModel):
    """Accuracy figures on a paraphrase set.

    Attributes:
        total: In-scope Simplified questions scored for top-1/top-3.
        top1: Share whose expected article ranks first.
        top3: Share whose expected article is among the first three.
        answered_correctly: Share answered directly with the expected article.
        answered_wrongly: Share answered directly with another article (the costly error).
        none_total: Out-of-scope questions.
        none_accuracy: Share of out-of-scope questions that got ``none``.
        traditional_total: Questions kept in Traditional characters.
        traditional_top1_raw: Their top-1 accuracy as typed.
        traditional_top1_normalised: Their top-1 accuracy after Traditional→Simplified conversion.
        traditional_confident_raw: Share answered or suggested with the right article first, as
            typed (Traditional characters lower the confidence even when the ranking holds).
        traditional_confident_normalised: The same after conversion.
        misses: In-scope questions not ranked first, and out-of-scope ones not given ``none``.
    """

    total: int
    top1: float
    top3: float
    answered_correctly: float
    answered_wrongly: float
    none_total: int
    none_accuracy: float
    traditional_total: int
    traditional_top1_raw: float
    traditional_top1_normalised: float
    traditional_confident_raw: float
    traditional_confident_normalised: float
    misses: list[Miss]


def load_paraphrases(path: Path = DEFAULT_PARAPHRASES) -> tuple[Paraphrase, ...]:
    """Read a paraphrase file.

    Args:
        path: The YAML file.

    Returns:
        The questions.

    Raises:
        KnowledgeError: When the file is invalid.
    """
    return validate_document(read_yaml(path), ParaphraseFile).paraphrases


def evaluate(
    kb: KnowledgeBase | KnowledgeIndex, paraphrases: Sequence[Paraphrase] | Path
) -> tuple[float, float]:
    """Return top-1 and top-3 accuracy on the in-scope Simplified questions.

    Args:
        kb: The knowledge base (indexed with the settings in its folder) or a ready index.
        paraphrases: The evaluation questions, or the YAML file holding them.

    Returns:
        ``(top1, top3)`` as shares between 0 and 1.
    """
    if isinstance(paraphrases, Path):
        paraphrases = load_paraphrases(paraphrases)
    report = evaluate_detailed(kb, paraphrases)
    return report.top1, report.top3


def evaluate_detailed(
    kb: KnowledgeBase | KnowledgeIndex,
    paraphrases: Sequence[Paraphrase],
    *,
    to_simplified: Callable[[str], str] | None = None,
) -> EvaluationReport:
    """Score every paraphrase and return the full report.

    Args:
        kb: The knowledge base or a ready index.
        paraphrases: The evaluation questions.
        to_simplified: Traditional→Simplified converter for the Traditional questions
            (defaults to the gateway's converter).

    Returns:
        The report.
    """
    index = kb if isinstance(kb, KnowledgeIndex) else build_index(kb)
    convert = to_simplified or _gateway_to_simplified
    in_scope = [p for p in paraphrases if p.expect != NONE and not p.traditional]
    out_of_scope = [p for p in paraphrases if p.expect == NONE]
    traditional = [p for p in paraphrases if p.expect != NONE and p.traditional]
    misses: list[Miss] = []
    top1 = top3 = right = wrong = 0
    for item in in_scope:
        result = index.search(item.q)
        ranked = [match.article_id for match in result.matches[:3]]
        top1 += bool(ranked) and ranked[0] == item.expect
        top3 += item.expect in ranked
        if result.decision == "answer":
            right += ranked[0] == item.expect
            wrong += ranked[0] != item.expect
        if not ranked or ranked[0] != item.expect:
            misses.append(Miss(q=item.q, expect=item.expect, got=ranked, decision=result.decision))
    none_right = 0
    for item in out_of_scope:
        result = index.search(item.q)
        none_right += result.decision == "none"
        if result.decision != "none":
            ranked = [match.article_id for match in result.matches[:3]]
            misses.append(Miss(q=item.q, expect=NONE, got=ranked, decision=result.decision))
    raw = [_outcome(index, item.q, item.expect) for item in traditional]
    normalised = [_outcome(index, convert(item.q), item.expect) for item in traditional]
    return EvaluationReport(
        total=len(in_scope),
        top1=_share(top1, len(in_scope)),
        top3=_share(top3, len(in_scope)),
        answered_correctly=_share(right, len(in_scope)),
        answered_wrongly=_share(wrong, len(in_scope)),
        none_total=len(out_of_scope),
        none_accuracy=_share(none_right, len(out_of_scope)),
        traditional_total=len(traditional),
        traditional_top1_raw=_share(sum(first for first, _ in raw), len(traditional)),
        traditional_top1_normalised=_share(sum(first for first, _ in normalised), len(traditional)),
        traditional_confident_raw=_share(sum(sure for _, sure in raw), len(traditional)),
        traditional_confident_normalised=_share(
            sum(sure for _, sure in normalised), len(traditional)
        ),
        misses=misses,
    )


def build_index(kb: KnowledgeBase) -> KnowledgeIndex:
    """Index a knowledge base with the tokenizer and settings stored in its folder."""
    from knowledge.store import build_index_for

    return build_index_for(kb)


def _outcome(index: KnowledgeIndex, question: str, expect: str) -> tuple[bool, bool]:
    # (ranked first, ranked first and not dropped as "none")
    result = index.search(question)
    first = result.best is not None and result.best.article_id == expect
    return first, first and result.decision != "none"


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def _gateway_to_simplified(text: str) -> str:
    from zhtext.normalise import to_simplified

    return to_simplified(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evaluation report; exit 1 when top-1 is below ``--min-top1``."""
    from knowledge.loader import load_knowledge_base

    parser = argparse.ArgumentParser(description="知识库检索评测（top-1 / top-3）")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT / "knowledge")
    parser.add_argument("--paraphrases", type=Path, default=DEFAULT_PARAPHRASES)
    parser.add_argument("--min-top1", type=float, default=0.0)
    args = parser.parse_args(argv)
    report = evaluate_detailed(load_knowledge_base(args.root), load_paraphrases(args.paraphrases))
    print(
        f"top1={report.top1:.3f} top3={report.top3:.3f} (n={report.total}) "
        f"answered_correctly={report.answered_correctly:.3f} "
        f"answered_wrongly={report.answered_wrongly:.3f} "
        f"none_accuracy={report.none_accuracy:.3f} (n={report.none_total}) "
        f"traditional (n={report.traditional_total}): top1 raw={report.traditional_top1_raw:.3f} "
        f"normalised={report.traditional_top1_normalised:.3f}; answered-or-suggested "
        f"raw={report.traditional_confident_raw:.3f} "
        f"normalised={report.traditional_confident_normalised:.3f}"
    )
    for miss in report.misses:
        print(f"  MISS {miss.q!r}: expected {miss.expect}, got {miss.got} ({miss.decision})")
    return 0 if report.top1 >= args.min_top1 else 1


if __name__ == "__main__":
    sys.exit(main())
