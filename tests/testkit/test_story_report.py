"""The summary of `make test-stories`, from report files recorded in a real failing run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from testkit.story_report import main, parse_failed_stories, summarise

RECORDED = Path(__file__).parent / "data" / "story_reports"


def test_failed_stories_are_parsed_with_step_expected_and_predicted() -> None:
    [story] = parse_failed_stories((RECORDED / "failed_test_stories.yml").read_text("utf-8"))
    assert story.name == "deliberately wrong identity answer (tests/stories/test_bad.yml)"
    assert story.mistakes == [(4, "action", "utter_menu", "utter_bot_identity")]


def test_a_failed_run_is_reported_and_fails(tmp_path: Path) -> None:
    shutil.copytree(RECORDED, tmp_path, dirs_exist_ok=True)
    passed, text = summarise(tmp_path, tmp_path)
    assert not passed
    assert "1/2 stories passed" in text
    assert "✗ deliberately wrong identity answer (tests/stories/test_bad.yml)" in text
    assert "step 4: expected action 'utter_menu', the model predicted 'utter_bot_identity'" in text
    assert "story tests FAILED" in text
    assert main([str(tmp_path)]) == 1


def test_a_clean_run_passes(tmp_path: Path) -> None:
    report = json.loads((RECORDED / "story_report.json").read_text("utf-8"))
    report["conversation_accuracy"].update(correct=2, accuracy=1.0)
    (tmp_path / "story_report.json").write_text(json.dumps(report), "utf-8")
    (tmp_path / "failed_test_stories.yml").write_text(
        "# None of the test stories failed - all good!", "utf-8"
    )
    passed, text = summarise(tmp_path, tmp_path)
    assert passed, text
    assert "2/2 stories passed" in text


def test_missing_report_means_rasa_did_not_finish(tmp_path: Path) -> None:
    passed, text = summarise(tmp_path, tmp_path)
    assert not passed
    assert "did not finish" in text
