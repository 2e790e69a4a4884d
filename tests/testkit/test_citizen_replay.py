"""The replay decides the knowledge stage again and counts sealed sets without naming sentences."""

from __future__ import annotations

from pathlib import Path

from knowledge.store import get_store
from testkit.citizen_outcomes import Outcome
from testkit.citizen_record import read_outcomes, write_outcomes
from testkit.citizen_replay import compare, replayed
from testkit.citizen_sets import REJECT, Item

# Another department's business that an older knowledge base referred to the marriage office.
COURT_QUESTION = Item("real_x_off_topic", "离婚后孩子的抚养费给多少", REJECT)
SEALED_COURT_QUESTION = Item("sealed_x_off_topic", "离婚后孩子的抚养费给多少", REJECT)
OLD_REPLY = Outcome("referral", ("marriage",))


def test_a_sealed_sentence_is_recorded_without_its_text(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.jsonl"
    write_outcomes([(COURT_QUESTION, OLD_REPLY), (SEALED_COURT_QUESTION, OLD_REPLY)], path)
    assert path.read_text(encoding="utf-8").count("抚养费") == 1
    back = read_outcomes(path, [SEALED_COURT_QUESTION, COURT_QUESTION])
    assert back == [(SEALED_COURT_QUESTION, OLD_REPLY), (COURT_QUESTION, OLD_REPLY)]


def test_a_knowledge_reply_is_decided_again_with_todays_knowledge_base() -> None:
    assert replayed(COURT_QUESTION, OLD_REPLY, get_store()).kind == "other_agency"
    answer = replayed(Item("s", "结婚登记需要带什么材料", "marriage"), OLD_REPLY, get_store())
    assert answer.kind == "answer" and answer.areas == ("marriage",)


def test_what_the_nlu_did_is_kept_as_recorded() -> None:
    started = Outcome("service", ("marriage",), "action_start_marriage_booking")
    assert replayed(COURT_QUESTION, started, get_store()) == started


def test_sealed_changes_are_counted_and_readable_ones_listed() -> None:
    table, changed = compare(
        [(COURT_QUESTION, OLD_REPLY), (SEALED_COURT_QUESTION, OLD_REPLY)], get_store()
    )
    assert "| real_x_off_topic | 1 | 0 | 1 | +1 |" in table
    assert "| sealed_x_off_topic | 1 | 0 | 1 | +1 |" in table
    assert changed == [
        "+ [real_x_off_topic] 离婚后孩子的抚养费给多少: referral:marriage → other_agency"
    ]
