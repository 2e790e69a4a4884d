"""Knowledge-base retrieval: accuracy on the paraphrase sets and search latency.

`python -m bench.knowledge` (part of `make bench`). The paraphrase sets are written apart from
the articles' example questions; `paraphrases_holdout.yml` was never used for tuning, so it is the
honest figure. The latency baseline is a plain BM25 ranking over the same tokens, run in the same
process, so the ratio shows what the extra signals (gazetteer, homophones, character pairs) cost.
"""

from __future__ import annotations

import statistics
import time

from rank_bm25 import BM25Okapi

from core.settings import PROJECT_ROOT, get_settings
from knowledge.evaluation import build_index, evaluate_detailed, load_paraphrases
from knowledge.loader import load_knowledge_base

SETS = {
    "paraphrases (tuned on)": PROJECT_ROOT / "tests" / "knowledge" / "paraphrases.yml",
    "held-out paraphrases": PROJECT_ROOT / "tests" / "knowledge" / "paraphrases_holdout.yml",
}


def timed_ms(function: object, questions: list[str], repeat: int = 5) -> list[float]:
    """Per-question latencies in ms of `function(question)`, `repeat` passes."""
    assert callable(function)
    latencies = []
    for _ in range(repeat):
        for question in questions:
            started = time.perf_counter()
            function(question)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    """Print the accuracy table and the latency table."""
    started = time.perf_counter()
    kb = load_knowledge_base(get_settings().knowledge_dir)
    index = build_index(kb)
    index.search("预热")
    cold_ms = (time.perf_counter() - started) * 1000

    header = (
        f"{'set':<26} {'n':>4} {'top-1':>7} {'top-3':>7} {'answered ok':>12} "
        f"{'answered wrong':>15} {'out-of-scope refused':>21}"
    )
    print(f"\nknowledge base: {len(kb.articles)} articles\n")
    print(header)
    print("-" * len(header))
    questions: list[str] = []
    for name, path in SETS.items():
        paraphrases = load_paraphrases(path)
        questions += [p.q for p in paraphrases]
        report = evaluate_detailed(index, paraphrases)
        print(
            f"{name:<26} {report.total:>4} {report.top1:>7.1%} {report.top3:>7.1%} "
            f"{report.answered_correctly:>12.1%} {report.answered_wrongly:>15.1%} "
            f"{report.none_accuracy:>21.1%}"
        )

    baseline_corpus = [
        index.tokenizer.terms(f"{a.title} {' '.join(a.questions)} {a.answer}") for a in kb.articles
    ]
    baseline = BM25Okapi(baseline_corpus)
    ours = timed_ms(index.search, questions)
    plain = timed_ms(lambda q: baseline.get_scores(index.tokenizer.terms(q)), questions)
    print(f"\nsearch latency, ms ({len(questions)} questions × 5; cold start {cold_ms:.0f} ms)\n")
    print(f"{'ranking':<28} {'p50':>7} {'p95':>7} {'ratio p50':>10}")
    for name, values in (("plain BM25 (baseline)", plain), ("knowledge search (ours)", ours)):
        p50 = statistics.median(values)
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"{name:<28} {p50:>7.2f} {p95:>7.2f} {p50 / statistics.median(plain):>10.2f}")


if __name__ == "__main__":
    main()
