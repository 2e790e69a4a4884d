"""`make eval-nlu`: how well the trained model understands held-out phrasings.

1. Read every held-out file ``tests/nlu/*.yml`` (Rasa NLU YAML; phrasings never in nlu_data/),
   normalise each example exactly as the gateway does (``zhtext.normalise``: Traditional →
   Simplified, full width → half width) and merge them into one file.
2. ``rasa test nlu --nlu <merged> --model models/assistant.tar.gz --out reports/nlu --successes``
   (Rasa writes intent_report.json, intent_errors.json, intent_confusion_matrix.png,
   intent_histogram.png and, when examples carry entities, DIETClassifier_report.json).
3. Routing check on the Taipei FAQ questions (``../shared/reference/external``; evaluation only,
   never training): which stem each question lands in, per service area.
4. Write ``reports/nlu/index.html`` and ``reports/nlu/summary.json`` and print one screen.

``rasa test nlu`` undoes the FallbackClassifier before scoring (its intent_report.json is the
classifier alone). What a citizen meets is the pipeline with the fallback, so the headline numbers
are "as deployed": a prediction below the FallbackClassifier threshold of config.yml counts as
``nlu_fallback`` (with softmax confidences top-1 ≥ 0.55 leaves top-2 ≤ 0.45, so the ambiguity rule
adds nothing here). Intent accuracy counts ``nlu_fallback`` as wrong for every intent except
``out_of_scope`` (there the fallback's "please rephrase" is an acceptable answer); out-of-scope
rejection = share of ``out_of_scope`` examples the assistant turns away: predicted as
``out_of_scope``, ``nlu_fallback``, or an intent whose rule runs the very same action path as the
fallback (``FALLBACK_PATH``: ``nonsense`` → action_handle_fallback, ``ask_policy_question`` →
action_answer_from_knowledge; both answer only on a confident knowledge-base match, else ask to
rephrase, exactly as action_handle_fallback does). The strict rejection (``out_of_scope`` or
``nlu_fallback`` only) is printed next to it, as is the classifier-only accuracy.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

from core.settings import PROJECT_ROOT
from testkit.nlu_heldout import (
    MAX_CHARS,
    TAIPEI_FAQ,
    EvaluationError,
    HeldoutExample,
    intent_stems,
    load_heldout,
    read_taipei_faq,
    training_texts,
    write_nlu_file,
)
from testkit.nlu_rasa import (
    MODEL,
    fallback_threshold,
    read_predictions,
    read_scores,
    run_rasa_test,
)
from testkit.nlu_report import write_html
from testkit.nlu_scores import (
    FALLBACK,
    OUT_OF_SCOPE,
    REJECTED,
    REJECTED_STRICT,
    ROUTING_OK,
    SERVICE_STEMS,
    TARGET_ACCURACY,
    TARGET_OOS_REJECTION,
    IntentScore,
    Prediction,
    Summary,
)
from zhtext.normalise import normalise

REPORT_DIR = PROJECT_ROOT / "reports" / "nlu"


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------


def summarise(
    examples: Sequence[HeldoutExample],
    classifier_predictions: Sequence[Prediction],
    intent_scores: Sequence[IntentScore],
    entity_scores: Sequence[IntentScore] = (),
    *,
    threshold: float = 0.0,
) -> Summary:
    """Accuracy, macro F1, out-of-scope rejection, confusions and per-file accuracy.

    Args:
        examples: The held-out examples (for the file each text came from).
        classifier_predictions: Rasa's predictions (fallback undone).
        intent_scores: Rasa's per-intent scores.
        entity_scores: Rasa's per-entity scores.
        threshold: FallbackClassifier threshold applied to get the deployed predictions.
    """
    if not classifier_predictions:
        raise EvaluationError("Rasa wrote no predictions")
    predictions = [p.deployed(threshold) for p in classifier_predictions]
    gold_scores = [score for score in intent_scores if score.support > 0]
    macro_f1 = sum(s.f1 for s in gold_scores) / len(gold_scores) if gold_scores else 0.0
    oos = [p for p in predictions if p.gold == OUT_OF_SCOPE]
    confusions = Counter((p.gold, p.predicted) for p in predictions if not p.acceptable)
    source_of = {example.plain: example.source for example in examples}
    per_source: dict[str, list[bool]] = defaultdict(list)
    for prediction in predictions:
        per_source[source_of.get(prediction.text, "?")].append(prediction.acceptable)
    return Summary(
        examples=len(predictions),
        sources=dict(Counter(example.source for example in examples)),
        accuracy=sum(p.acceptable for p in predictions) / len(predictions),
        classifier_accuracy=sum(p.correct for p in classifier_predictions) / len(predictions),
        fallback_threshold=threshold,
        macro_f1=macro_f1,
        oos_total=len(oos),
        oos_rejected=sum(p.predicted in REJECTED for p in oos),
        oos_rejected_strict=sum(p.predicted in REJECTED_STRICT for p in oos),
        intents=list(gold_scores),
        confusions=[(gold, got, n) for (gold, got), n in confusions.most_common()],
        entities=list(entity_scores),
        per_source_accuracy={
            source: sum(marks) / len(marks) for source, marks in sorted(per_source.items())
        },
        errors=sorted((p for p in predictions if not p.acceptable), key=lambda p: (p.gold, p.text)),
    )


def routing_table(
    predictions: Sequence[Prediction],
    areas: Mapping[str, str],
    stems: Mapping[str, str],
    *,
    threshold: float = 0.0,
) -> tuple[dict[str, dict[str, int]], dict[str, list[tuple[str, str]]]]:
    """Per service area: how many questions landed in each stem, and the ones that went wrong.

    Args:
        predictions: Rasa's predictions for the questions.
        areas: Question text → its service area.
        stems: Intent → stem.
        threshold: FallbackClassifier threshold (below it a question gets the fallback).
    """
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wrong: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for prediction in (p.deployed(threshold) for p in predictions):
        area = areas.get(prediction.text, "?")
        stem = stems.get(prediction.predicted, prediction.predicted)
        table[area][stem] += 1
        if stem not in ROUTING_OK.get(area, frozenset()):
            wrong[area].append((prediction.text, prediction.predicted))
    return {a: dict(c) for a, c in sorted(table.items())}, dict(wrong)


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def _mark(value: float, target: float) -> str:
    return "✓" if value >= target else "✗ below target"


def format_summary(summary: Summary, *, report: Path) -> str:
    """The one-screen summary."""
    sources = ", ".join(f"{name} {count}" for name, count in sorted(summary.sources.items()))
    mode = "normalised like the gateway" if summary.normalised else "raw, NOT normalised"
    lines = [
        f"NLU held-out evaluation: {summary.examples} examples ({sources}); text {mode}",
        f"  intent accuracy         {summary.accuracy:6.1%}   target ≥ {TARGET_ACCURACY:.0%}  "
        f"{_mark(summary.accuracy, TARGET_ACCURACY)}  (as deployed: confidence < "
        f"{summary.fallback_threshold:.2f} → nlu_fallback)",
        f"  classifier alone        {summary.classifier_accuracy:6.1%}   "
        "(Rasa's intent_report.json, fallback undone)",
        f"  macro F1                {summary.macro_f1:6.3f}",
        f"  out-of-scope rejection  {summary.oos_rejection:6.1%}   "
        f"({summary.oos_rejected}/{summary.oos_total}; target ≥ {TARGET_OOS_REJECTION:.0%})  "
        f"{_mark(summary.oos_rejection, TARGET_OOS_REJECTION)}",
        f"    strict                {summary.oos_rejection_strict:6.1%}   "
        f"({summary.oos_rejected_strict}/{summary.oos_total}; only out_of_scope or nlu_fallback, "
        "not the intents that take the fallback's path)",
        "  accuracy per file       "
        + "  ".join(f"{name} {value:.0%}" for name, value in summary.per_source_accuracy.items()),
    ]
    if summary.entities:
        lines.append(
            "  entities (F1)           "
            + "  ".join(f"{s.intent} {s.f1:.2f} (n={s.support})" for s in summary.entities)
        )
    else:
        lines.append("  entities                none annotated in the held-out set")
    if summary.copied:
        lines.append(
            f"  left out {len(summary.copied)} held-out phrasing(s) that are training examples: "
            + "、".join(f"{text} ({source})" for source, text in summary.copied)
        )
    lines.append("worst intents (F1, precision, recall, n):")
    lines += [
        f"  {s.intent:<28} {s.f1:.2f}  P {s.precision:.2f}  R {s.recall:.2f}  n={s.support}"
        for s in summary.worst_intents()
    ]
    lines.append("worst confusions (expected → predicted × count):")
    lines += [f"  {gold} → {got} × {n}" for gold, got, n in summary.confusions[:6]] or ["  none"]
    if summary.routing:
        lines += ["", *format_routing(summary.routing)]
    lines.append(f"report: {report}")
    return "\n".join(lines)


def format_routing(table: Mapping[str, Mapping[str, int]]) -> list[str]:
    """The Taipei FAQ routing table as text lines."""
    columns = [*SERVICE_STEMS, "knowledge", "base", OUT_OF_SCOPE, FALLBACK]
    short = {OUT_OF_SCOPE: "oos", FALLBACK: "fallback"}
    header = f"  {'area':<11}{'n':>4} " + "".join(f"{short.get(c, c):>10}" for c in columns)
    lines = [
        "routing of Taipei FAQ questions (evaluation only; stems where the questions landed):",
        header + f"{'wrong':>8}",
    ]
    for area, counts in table.items():
        total = sum(counts.values())
        ok = ROUTING_OK.get(area, frozenset())
        wrong = sum(n for stem, n in counts.items() if stem not in ok)
        cells = "".join(f"{counts.get(c, 0):>10}" for c in columns)
        lines.append(f"  {area:<11}{total:>4} {cells}{wrong / total:>8.0%}")
    lines.append("  (wrong = in another service or a base intent; knowledge, oos, fallback are ok)")
    return lines


def write_summary_json(summary: Summary, path: Path) -> None:
    """Machine-readable copy of the summary (for CI trends)."""
    data = asdict(summary)
    data["oos_rejection"] = summary.oos_rejection
    data["oos_rejection_strict"] = summary.oos_rejection_strict
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def evaluate(
    *, model: Path, out: Path, normalised: bool, routing: bool, rerun: bool = True
) -> Summary:
    """Run the whole evaluation and write the reports into `out`.

    Args:
        model: The trained model.
        out: Report directory.
        normalised: Normalise the test texts like the gateway.
        routing: Also route the Taipei FAQ questions.
        rerun: False re-reads Rasa's files already in `out` (re-summarise only).
    """
    threshold = fallback_threshold()
    examples = load_heldout(normalised=normalised)
    # A phrasing that is also a training example measures memory, not understanding.
    known = training_texts()
    copied = [e for e in examples if e.plain in known]
    examples = [e for e in examples if e.plain not in known]
    routing_out = out / "routing"
    faq_areas = {
        normalise(question, max_chars=MAX_CHARS).text: area
        for area, question in (read_taipei_faq() if routing and TAIPEI_FAQ.exists() else [])
    }
    if rerun:
        with tempfile.TemporaryDirectory(prefix="nlu-eval-") as tmp:
            merged = Path(tmp) / "heldout.yml"
            write_nlu_file(((e.intent, e.text) for e in examples), merged)
            run_rasa_test(merged, model=model, out=out)
            if faq_areas:
                faq_file = Path(tmp) / "taipei_faq.yml"
                write_nlu_file(((f"taipei_{area}", q) for q, area in faq_areas.items()), faq_file)
                run_rasa_test(faq_file, model=model, out=routing_out, plots=False)
    summary = summarise(
        examples,
        read_predictions(out),
        read_scores(out / "intent_report.json"),
        read_scores(out / "DIETClassifier_report.json"),
        threshold=threshold,
    )
    summary.normalised = normalised
    summary.copied = [(e.source, e.raw) for e in copied]
    if faq_areas:
        summary.routing, summary.routing_wrong = routing_table(
            read_predictions(routing_out), faq_areas, intent_stems(), threshold=threshold
        )
    write_summary_json(summary, out / "summary.json")
    write_html(summary, out / "index.html")
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Evaluate; exit 1 only on errors, or with --strict when a target is missed."""
    parser = argparse.ArgumentParser(description="Evaluate NLU on the held-out set tests/nlu.")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--out", type=Path, default=REPORT_DIR)
    parser.add_argument("--raw", action="store_true", help="do not normalise the test texts")
    parser.add_argument("--no-routing", action="store_true", help="skip the Taipei FAQ routing")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--summary-only", action="store_true", help="re-read the Rasa files in --out, run nothing"
    )
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"no model at {args.model}: run `make train`", file=sys.stderr)
        return 1
    try:
        summary = evaluate(
            model=args.model,
            out=args.out,
            normalised=not args.raw,
            routing=not args.no_routing,
            rerun=not args.summary_only,
        )
    except EvaluationError as error:
        print(f"eval-nlu: {error}", file=sys.stderr)
        return 1
    print(format_summary(summary, report=args.out / "index.html"))
    missed = summary.accuracy < TARGET_ACCURACY or summary.oos_rejection < TARGET_OOS_REJECTION
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
