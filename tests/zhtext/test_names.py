"""One reading of a person's name for every form (marriage parties, eldercare visitors, donors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhtext import names
from zhtext.names import NameWordsError, is_written_as_name, parse_person_name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("张伟", "张伟"),
        ("我叫欧阳晓雯", "欧阳晓雯"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("欧阳·娜娜", "欧阳·娜娜"),
        ("Anna Smith", "Anna Smith"),
        ("Tom Li", "Tom Li"),
        ("欧阳晓雯。", "欧阳晓雯"),
        # lead-ins: who, relation, label, verb
        ("我老公叫王强", "王强"),
        ("他叫李雷", "李雷"),
        ("对方叫王强", "王强"),
        ("我的名字是张伟", "张伟"),
        ("她的名字叫李娜。", "李娜"),
        ("我是张伟", "张伟"),
        ("女方叫周婷", "周婷"),
        ("参观人是张丽", "张丽"),
        ("姓名张丽", "张丽"),
        ("就写张三", "张三"),
        ("署名李四", "李四"),
        # polite tails, and a phone number given with the name
        ("名字是王小明吧", "王小明"),
        ("王芳女士", "王芳"),
        ("我叫李强先生", "李强"),
        ("张丽 13812345678", "张丽"),
        ("我叫张丽，手机13812345678", "张丽"),
    ],
)
def test_the_name_is_read_from_the_answer(text: str, name: str) -> None:
    assert parse_person_name(text) == name


@pytest.mark.parametrize(
    "text",
    [
        "张",
        "张3",
        "张三123",
        "13812345678",
        "算了不约了",
        "王小明同学",
        "我老公",
        "他",
        "她",
        "我爱人",
        "对方",
        "张先生",
        # a question or a request at the name question is never taken as a name
        "我想预约参观",
        "捐款能抵税吗",
        "你们几点上班",
    ],
)
def test_pronouns_relations_numbers_and_sentences_are_not_names(text: str) -> None:
    assert parse_person_name(text) is None


def test_a_slot_value_is_checked_as_it_stands() -> None:
    assert is_written_as_name("张丽") and is_written_as_name("Anna Smith")
    assert not is_written_as_name("我叫张丽") and not is_written_as_name("")


def test_a_malformed_words_file_names_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "names.yml"
    broken.write_text("lead_in_verbs: 叫\n", encoding="utf-8")
    monkeypatch.setattr(names, "NAMES_FILE", broken)
    names._words.cache_clear()
    try:
        with pytest.raises(NameWordsError, match=r"names\.yml: lead_in_owners"):
            names._words()
    finally:
        names._words.cache_clear()
