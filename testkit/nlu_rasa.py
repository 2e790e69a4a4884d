"""Running ``rasa test nlu`` for `make eval-nlu` and reading what it writes.

Rasa runs in its own environment (``.venv-rasa``); its predictions and per-intent reports are read
back from the output directory, and the FallbackClassifier threshold from ``config.yml``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from core.settings import PROJECT_ROOT
from testkit.nlu_heldout import EvaluationError
from testkit.nlu_scores import FALLBACK, IntentScore, Prediction

MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
CONFIG = PROJECT_ROOT / "config.yml"
RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_TIMEOUT_SECONDS = 1800


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


def fallback_threshold(config: Path = CONFIG) -> float:
    """The FallbackClassifier threshold of the NLU pipeline (0 when there is none)."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    for component in data.get("pipeline") or []:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))  # Rasa's default
    return 0.0
