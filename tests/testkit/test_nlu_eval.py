"""The NLU evaluation's own logic (no model needed): data handling, metrics, routing, reports."""

from __future__ import annotations

import itertools
import json
import textwrap
from pathlib import Path

import pytest
import yaml

from core.settings import PROJECT_ROOT
from testkit.nlu_eval import format_summary, routing_table, summarise
from testkit.nlu_heldout import (
    TAIPEI_FAQ,
    EvaluationError,
    intent_stems,
    load_heldout,
    plain_text,
    read_nlu_examples,
    read_taipei_faq,
    training_texts,
    write_nlu_file,
)
from testkit.nlu_rasa import fallback_threshold, read_predictions, read_scores
from testkit.nlu_report import write_html
from testkit.nlu_scores import FALLBACK_PATH, IntentScore, Prediction, Summary

HELDOUT = Path(__file__).parents[1] / "nlu"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_examples_are_read_and_normalised_like_the_gateway(tmp_path: Path) -> None:
    write(
        tmp_path / "base.yml",
        """\
        version: "3.1"
        nlu:
          - intent: request_human
            examples: |
              - 轉人工，ＯＫ？
          - synonym: 西湖区
            examples: |
              - 西湖
        """,
    )
    [example] = load_heldout(tmp_path)
    assert (example.intent, example.raw, example.source) == (
        "request_human",
        "轉人工，ＯＫ？",
        "base",
    )
    assert example.text == "转人工,OK?"
    assert load_heldout(tmp_path, normalised=False)[0].text == "轉人工，ＯＫ？"


def test_empty_or_broken_heldout_data_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="no held-out examples"):
        load_heldout(tmp_path)
    write(tmp_path / "x.yml", "- just a list\n")
    with pytest.raises(EvaluationError, match="`nlu:` list"):
        load_heldout(tmp_path)


def test_entity_markup_is_removed_to_match_rasa_texts() -> None:
    assert plain_text("去[西湖区](district)办[结婚](booking_type:marriage)") == "去西湖区办结婚"
    assert plain_text('[西湖]{"entity": "district", "value": "西湖区"}可以吗') == "西湖可以吗"
    assert plain_text("不带实体 (括号) [方括号]") == "不带实体 (括号) [方括号]"


def test_merged_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "merged.yml"
    write_nlu_file(
        [("greet", "哈喽"), ("deny", "nope"), ("greet", "哈喽"), ("greet", "在不")], path
    )
    assert read_nlu_examples(path) == [("greet", "哈喽"), ("greet", "在不"), ("deny", "nope")]


def test_heldout_sets_are_large_enough_and_not_copied_from_training() -> None:
    # The evaluation also leaves copies out; this keeps them from creeping in at all.
    heldout = load_heldout(HELDOUT)
    assert len([e for e in heldout if e.source in ("base", "out_of_scope")]) >= 120
    training = training_texts()  # read once, not once per held-out sentence
    copied = [(e.source, e.raw) for e in heldout if e.plain in training]
    assert copied == []


def test_intents_map_to_the_stem_that_defines_them() -> None:
    stems = intent_stems()
    assert stems["greet"] == "base"
    assert stems["request_marriage_booking"] == "marriage"
    assert stems["nlu_fallback"] == "nlu_fallback"


def test_rasa_outputs_are_read(tmp_path: Path) -> None:
    (tmp_path / "intent_successes.json").write_text(
        json.dumps([{"text": "哈喽", "intent": "greet",
                     "intent_prediction": {"name": "greet", "confidence": 0.9}}]),
        encoding="utf-8",
    )  # fmt: skip
    (tmp_path / "intent_errors.json").write_text(
        json.dumps([{"text": "在不", "intent": "greet", "intent_prediction": None}]),
        encoding="utf-8",
    )
    assert read_predictions(tmp_path) == [
        Prediction("哈喽", "greet", "greet", 0.9),
        Prediction("在不", "greet", "nlu_fallback", 0.0),
    ]
    (tmp_path / "intent_report.json").write_text(
        json.dumps({
            "greet": {"precision": 1.0, "recall": 0.5, "f1-score": 0.667, "support": 2},
            "accuracy": 0.5,
            "macro avg": {"precision": 0.5, "recall": 0.25, "f1-score": 0.33, "support": 2},
        }),
        encoding="utf-8",
    )  # fmt: skip
    assert read_scores(tmp_path / "intent_report.json") == [
        IntentScore("greet", 1.0, 0.5, 0.667, 2)
    ]
    assert read_scores(tmp_path / "missing.json") == []


def sample_summary() -> Summary:
    examples = load_heldout(HELDOUT)[:0]  # sources come from the predictions' texts here
    predictions = [
        Prediction("哈喽", "greet", "greet", 0.9),
        Prediction("在不", "greet", "greet", 0.3),  # below threshold: nlu_fallback
        Prediction("明天下雨吗", "out_of_scope", "out_of_scope", 0.8),
        Prediction("股票", "out_of_scope", "ask_policy_question", 0.4),  # below threshold
        Prediction("你结婚了吗", "out_of_scope", "request_marriage_booking", 0.7),
        Prediction("快递怎么寄", "out_of_scope", "ask_policy_question", 0.8),  # fallback's path
        Prediction("不了", "deny", "deny", 0.95),
    ]
    scores = [
        IntentScore("greet", 1.0, 0.5, 0.667, 2),
        IntentScore("out_of_scope", 1.0, 0.25, 0.4, 4),
        IntentScore("deny", 1.0, 1.0, 1.0, 1),
        IntentScore("nlu_fallback", 0.0, 0.0, 0.0, 0),
    ]
    return summarise(examples, predictions, scores, threshold=0.5)


def test_summary_counts_fallback_as_wrong_but_as_oos_rejection() -> None:
    summary = sample_summary()
    # 股票 rejected by the fallback and 快递怎么寄 sent down the fallback's path are fine
    assert summary.accuracy == pytest.approx(5 / 7)
    assert summary.classifier_accuracy == pytest.approx(4 / 7)  # 在不 was greet at 0.3
    assert summary.oos_total == 4
    assert summary.oos_rejected == 3  # out_of_scope, nlu_fallback, knowledge; not marriage
    assert summary.oos_rejection == pytest.approx(3 / 4)
    assert summary.oos_rejected_strict == 2  # out_of_scope + nlu_fallback only
    assert summary.macro_f1 == pytest.approx((0.667 + 0.4 + 1.0) / 3)  # labels without support out
    assert [s.intent for s in summary.worst_intents(2)] == ["out_of_scope", "greet"]
    assert ("out_of_scope", "request_marriage_booking", 1) in summary.confusions


def test_summary_screen_and_html(tmp_path: Path) -> None:
    summary = sample_summary()
    summary.copied = [("donation", "我要捐錢")]
    summary.routing, summary.routing_wrong = routing_table(
        [Prediction("结婚证明", "taipei_assistance", "request_marriage_booking", 0.8),
         Prediction("低收入户", "taipei_assistance", "ask_policy_question", 0.8)],
        {"结婚证明": "assistance", "低收入户": "assistance"},
        {"request_marriage_booking": "marriage", "ask_policy_question": "knowledge"},
    )  # fmt: skip
    assert summary.routing == {"assistance": {"marriage": 1, "knowledge": 1}}
    assert summary.routing_wrong == {"assistance": [("结婚证明", "request_marriage_booking")]}
    screen = format_summary(summary, report=tmp_path / "index.html")
    assert "intent accuracy          71.4%   target ≥ 95%  ✗ below target" in screen
    assert "classifier alone         57.1%" in screen
    assert "out_of_scope → nlu_fallback" not in screen  # a rejection, not a confusion
    assert "out-of-scope rejection   75.0%   (3/4; target ≥ 90%)" in screen
    assert "strict                 50.0%   (2/4;" in screen
    assert "out_of_scope → request_marriage_booking × 1" in screen
    assert "greet → nlu_fallback × 1" in screen
    assert "assistance" in screen and " 50%" in screen  # half of the questions went wrong
    assert (
        "left out 1 held-out phrasing(s) that are training examples: 我要捐錢 (donation)" in screen
    )
    write_html(summary, tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "意图准确率" in page and "71.4%" in page and "严格口径" in page
    assert "你结婚了吗" in page and "结婚证明" in page


def test_fallback_path_intents_run_the_fallbacks_actions() -> None:
    # REJECTED counts these intents as turning a citizen away only while their rules run the
    # knowledge-then-rephrase path of action_handle_fallback; a changed rule must fail here.
    followed: dict[str, set[str]] = {}
    for path in (PROJECT_ROOT / "bot" / "data" / "rules").glob("*.yml"):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", []):
            steps = rule.get("steps", [])
            for step, after in itertools.pairwise(steps):
                if step.get("intent") in FALLBACK_PATH and "action" in after:
                    followed.setdefault(step["intent"], set()).add(after["action"])
    assert followed == {
        "nonsense": {"action_handle_fallback"},
        "ask_policy_question": {"action_answer_from_knowledge"},
    }


def test_fallback_threshold_is_read_from_the_pipeline(tmp_path: Path) -> None:
    assert 0.0 < fallback_threshold() < 1.0
    config = write(
        tmp_path / "c.yml", "pipeline:\n  - name: FallbackClassifier\n    threshold: 0.7\n"
    )
    assert fallback_threshold(config) == 0.7
    assert fallback_threshold(write(tmp_path / "d.yml", "pipeline: []\n")) == 0.0


@pytest.mark.skipif(
    not TAIPEI_FAQ.exists(), reason="../shared/reference is not beside this checkout"
)
def test_taipei_faq_file_is_read_without_its_comment_and_header() -> None:
    rows = read_taipei_faq()
    assert len(rows) == 88
    assert {area for area, _ in rows} == {"assistance", "eldercare", "donation", "other_kb"}
