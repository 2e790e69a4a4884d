"""The gateway evaluation: outcomes read from a tracker, scoring, refusal of leaked sentences."""

from __future__ import annotations

from pathlib import Path

from testkit.citizen_eval import SetScore, format_areas, right_place, score, write_report
from testkit.citizen_outcomes import Outcome, classify
from testkit.citizen_sets import REJECT, Item, leaked, load_real, seen_in_training


def bot(utter: str, **data: object) -> dict[str, object]:
    return {"event": "bot", "metadata": {"utter_action": utter}, "data": data}


def test_a_started_form_is_a_service_of_its_area() -> None:
    tracker = {"events": [{"event": "action", "name": "action_start_marriage_booking"}]}
    assert classify(tracker, "我要预约结婚").label() == "service:marriage"


def test_a_confirmation_names_the_service_area() -> None:
    tracker = {"events": [bot("utter_confirm_request_prescreen")]}
    assert classify(tracker, "低保").label() == "confirm:assistance"


def test_rephrase_and_out_of_scope_are_rejections() -> None:
    assert classify({"events": [bot("utter_ask_rephrase")]}, "x").kind == "not_understood"
    assert classify({"events": [bot("utter_ask_which_benefit")]}, "x").kind == "not_understood"
    assert classify({"events": [bot("utter_out_of_scope")]}, "x").kind == "out_of_scope"
    assert classify({"events": [bot("utter_other_agency")]}, "x").kind == "other_agency"


def test_right_place_needs_the_area() -> None:
    question = Item("real_civil_affairs", "低保几号发", "assistance")
    assert right_place(question, Outcome("answer", ("assistance",)))
    assert not right_place(question, Outcome("answer", ("marriage",)))
    assert not right_place(question, Outcome("not_understood"))
    off_topic = Item("real_off_topic", "明天天气", REJECT)
    assert right_place(off_topic, Outcome("out_of_scope"))
    assert right_place(off_topic, Outcome("other_agency"))
    assert not right_place(question, Outcome("other_agency"))
    assert not right_place(off_topic, Outcome("service", ("marriage",)))
    assert not right_place(off_topic, Outcome("confirm", ("marriage",)))


def test_a_sentence_also_in_training_is_refused() -> None:
    seen = seen_in_training()
    assert leaked([Item("real_off_topic", "你好", REJECT)], seen), "你好 is a training example"


def test_the_real_sets_are_never_trained_on() -> None:
    assert leaked([*load_real(), *load_real(sealed=True)], seen_in_training()) == []


def test_a_later_real_group_is_its_own_set(tmp_path: Path) -> None:
    for stem, key_name in (
        ("civil_affairs_a", "questions"),
        ("civil_affairs_b", "questions"),
        ("civil_affairs_c", "questions"),
        ("off_topic", "queries"),
        ("off_topic_c", "queries"),
        ("sealed_b_off_topic", "queries"),
    ):
        entry = {"text": stem, "area": "marriage", "category": "chitchat"}
        (tmp_path / f"{stem}.yml").write_text(f"{key_name}: [{entry}]", encoding="utf-8")
    sets = {item.text: item.set_name for item in load_real(tmp_path)}
    assert sets == {
        "civil_affairs_a": "real_civil_affairs",
        "civil_affairs_b": "real_civil_affairs",
        "civil_affairs_c": "real_c_civil_affairs",
        "off_topic": "real_off_topic",
        "off_topic_c": "real_c_off_topic",
    }


def test_each_sealed_file_is_its_own_set(tmp_path: Path) -> None:
    for stem, key_name in (
        ("sealed_civil_affairs", "questions"),
        ("sealed_b_civil_affairs", "questions"),
        ("sealed_b_off_topic", "queries"),
    ):
        entry = {"text": stem, "area": "marriage", "category": "chitchat"}
        (tmp_path / f"{stem}.yml").write_text(f"{key_name}: [{entry}]", encoding="utf-8")
    names = sorted(item.set_name for item in load_real(tmp_path, sealed=True))
    assert names == ["sealed_b_civil_affairs", "sealed_b_off_topic", "sealed_civil_affairs"]
    assert [item.expected for item in load_real(tmp_path, sealed=True)][-1] == REJECT


def test_the_misses_of_a_sealed_set_are_counted_not_listed(tmp_path: Path) -> None:
    miss = Outcome("not_understood")
    real = SetScore("real_civil_affairs", total=1)
    real.misses.append((Item("real_civil_affairs", "公开的句子", "marriage"), miss))
    sealed = SetScore("sealed_b_civil_affairs", total=1)
    sealed.misses.append((Item("sealed_b_civil_affairs", "封存的句子", "marriage"), miss))
    report = write_report({s.name: s for s in (real, sealed)}, tmp_path).read_text("utf-8")
    assert "公开的句子" in report
    assert "封存的句子" not in report and "1 句未命中" in report


def test_not_understood_is_a_share_of_the_civil_affairs_questions_only() -> None:
    miss = Outcome("not_understood")
    results = [
        (Item("heldout", "低保怎么申请", "assistance"), miss),
        (Item("heldout", "低保标准多少", "assistance"), Outcome("answer", ("assistance",))),
        (Item("heldout", "今天天气", REJECT), miss),  # a right refusal, not counted
        (Item("real_off_topic", "讲个笑话", REJECT), miss),
    ]
    scores = score(results)
    assert scores["heldout"].not_understood_share() == "50.0%"
    assert scores["real_off_topic"].not_understood_share() == "—"


def test_counts_per_area_name_no_sentence() -> None:
    results = [
        (Item("sealed_b_civil_affairs", "封存的句子一", "funeral"), Outcome("not_understood")),
        (
            Item("sealed_b_civil_affairs", "封存的句子二", "funeral"),
            Outcome("answer", ("funeral",)),
        ),
        (
            Item("sealed_b_civil_affairs", "封存的句子三", "marriage"),
            Outcome("referral", ("marriage",)),
        ),
    ]
    table = format_areas(score(results))
    assert "| sealed_b_civil_affairs | funeral | 2 | 50% | not_understood 1, answer 1 |" in table
    assert "| sealed_b_civil_affairs | marriage | 1 | 100% | referral 1 |" in table
    assert "封存" not in table
