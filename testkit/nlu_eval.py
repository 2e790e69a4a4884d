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
import csv
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from core.settings import PROJECT_ROOT
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

HELDOUT_DIR = PROJECT_ROOT / "tests" / "nlu"
TRAINING_DIR = PROJECT_ROOT / "nlu_data"
REPORT_DIR = PROJECT_ROOT / "reports" / "nlu"
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
CONFIG = PROJECT_ROOT / "config.yml"
RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
TAIPEI_FAQ = PROJECT_ROOT.parent / "shared" / "reference" / "external" / "taipei_faq_simplified.tsv"
# Same cap as the gateway (core.settings.max_message_chars); held-out texts are far shorter.
MAX_CHARS = 500
# Rasa's entity markup in an example: [西湖区](district) or [西湖区]{"entity": "district"}.
_ENTITY_MARKUP = re.compile(r"\[(?P<text>[^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
RASA_TIMEOUT_SECONDS = 1800


class EvaluationError(RuntimeError):
    """The held-out data is unusable or Rasa's evaluation failed."""


@dataclass(frozen=True)
class HeldoutExample:
    """One test phrasing: its intent, the text as written and as the gateway passes it on."""

    intent: str
    raw: str
    text: str
    source: str

    @property
    def plain(self) -> str:
        """The text without entity markup (as Rasa reports it)."""
        return plain_text(self.text)


def plain_text(example: str) -> str:
    """An NLU example without entity markup: "去[西湖区](district)" → "去西湖区"."""
    return _ENTITY_MARKUP.sub(lambda match: match["text"], example)


# ---------------------------------------------------------------------------------------------
# Held-out data
# ---------------------------------------------------------------------------------------------


def read_nlu_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, example) pairs of a Rasa NLU YAML file (synonyms, lookups, regexes skipped).

    Raises:
        EvaluationError: The file is not Rasa NLU YAML.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise EvaluationError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("nlu"), list):
        raise EvaluationError(f'{path}: expected `version: "3.1"` and an `nlu:` list')
    pairs: list[tuple[str, str]] = []
    for item in data["nlu"]:
        if not isinstance(item, dict) or "intent" not in item:
            continue
        examples = item.get("examples") or ""
        for line in str(examples).splitlines():
            stripped = line.strip()
            if stripped.startswith("- "):
                pairs.append((str(item["intent"]), stripped[2:].strip()))
    return pairs


def load_heldout(directory: Path = HELDOUT_DIR, *, normalised: bool = True) -> list[HeldoutExample]:
    """Every held-out example under `directory`, normalised like the gateway unless told not to.

    Raises:
        EvaluationError: No example found.
    """
    examples: list[HeldoutExample] = []
    for path in sorted(directory.glob("*.yml")):
        for intent, raw in read_nlu_examples(path):
            text = normalise(raw, max_chars=MAX_CHARS).text if normalised else raw
            examples.append(HeldoutExample(intent=intent, raw=raw, text=text, source=path.stem))
    if not examples:
        raise EvaluationError(f"no held-out examples in {directory}/*.yml")
    return examples


def training_texts(directory: Path = TRAINING_DIR) -> set[str]:
    """Normalised training examples, to catch test phrasings copied from the training data."""
    return {
        plain_text(normalise(text, max_chars=MAX_CHARS).text)
        for path in directory.glob("*.yml")
        for _, text in read_nlu_examples(path)
    }


def write_nlu_file(pairs: Iterable[tuple[str, str]], path: Path) -> None:
    """Write (intent, text) pairs as one Rasa NLU YAML file."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for intent, text in pairs:
        if text not in grouped[intent]:
            grouped[intent].append(text)
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in grouped.items():
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {text}" for text in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def intent_stems(directory: Path = TRAINING_DIR) -> dict[str, str]:
    """Intent → the feature stem whose nlu_data file defines it."""
    stems = {
        intent: path.stem
        for path in sorted(directory.glob("*.yml"))
        for intent, _ in read_nlu_examples(path)
    }
    stems[OUT_OF_SCOPE] = OUT_OF_SCOPE
    stems[FALLBACK] = FALLBACK
    return stems


def read_taipei_faq(path: Path = TAIPEI_FAQ) -> list[tuple[str, str]]:
    """(area, question) rows of the Taipei FAQ file (comment line and header skipped)."""
    with path.open(encoding="utf-8") as handle:
        rows = [
            row for row in csv.reader(handle, delimiter="\t") if row and not row[0].startswith("#")
        ]
    return [(row[0], row[1]) for row in rows[1:] if len(row) >= 2]


# ---------------------------------------------------------------------------------------------
# Running Rasa
# ---------------------------------------------------------------------------------------------


def run_rasa_test(nlu_file: Path, *, model: Path, out: Path, plots: bool = True) -> None:
    """Run ``rasa test nlu``; its log goes to ``out/rasa_test.log``.

    Raises:
        EvaluationError: Rasa failed (the log tail is in the message).
    """
    out.mkdir(parents=True, exist_ok=True)
    command = [
        str(RASA_BIN), "test", "nlu", "--nlu", str(nlu_file), "--model", str(model),
        "--out", str(out), "--successes",
    ]  # fmt: skip
    if not plots:
        command.append("--no-plot")
    log_path = out / "rasa_test.log"
    with log_path.open("w", encoding="utf-8") as log:
        result = subprocess.run(
            command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
            timeout=RASA_TIMEOUT_SECONDS, check=False,
        )  # fmt: skip
    if result.returncode != 0:
        tail = "\n".join(log_path.read_text(encoding="utf-8").splitlines()[-30:])
        raise EvaluationError(f"rasa test nlu failed ({result.returncode}):\n{tail}")


def read_predictions(out: Path) -> list[Prediction]:
    """Every prediction Rasa wrote (intent_successes.json + intent_errors.json)."""
    predictions: list[Prediction] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out / name
        if not path.exists():
            continue
        for item in json.loads(path.read_text(encoding="utf-8")):
            predicted = item.get("intent_prediction") or {}
            predictions.append(
                Prediction(
                    text=str(item["text"]),
                    gold=str(item["intent"]),
                    predicted=str(predicted.get("name") or FALLBACK),
                    confidence=float(predicted.get("confidence") or 0.0),
                )
            )
    return predictions


def read_scores(report_path: Path) -> list[IntentScore]:
    """Per-label scores of a Rasa report file (aggregate rows and `no_entity` skipped)."""
    if not report_path.exists():
        return []
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    skip = {"accuracy", "macro avg", "weighted avg", "micro avg", "no_entity"}
    return [
        IntentScore(
            intent=label,
            precision=float(values.get("precision", 0.0)),
            recall=float(values.get("recall", 0.0)),
            f1=float(values.get("f1-score", 0.0)),
            support=int(values.get("support", 0)),
        )
        for label, values in report.items()
        if label not in skip and isinstance(values, dict)
    ]


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------


def fallback_threshold(config: Path = CONFIG) -> float:
    """The FallbackClassifier threshold of the NLU pipeline (0 when there is none)."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    for component in data.get("pipeline") or []:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))  # Rasa's default
    return 0.0


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
