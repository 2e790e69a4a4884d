"""Conversation scripts read without a live stack: scalars, lists, errors, discovery, senders."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.conversations import new_sender
from testkit.script_format import ScriptFormatError, discover_scripts, load_script
from tests.testkit.runner_support import parse

DATA = Path(__file__).parent / "data"


def test_scalars_stay_as_typed() -> None:
    loaded = parse(
        """
        title: t
        turns:
          - user: no
          - user: 88
          - user: 2026-12-02
          - user: 是
            expect: 好的
          - user: yes
            expect: [a, b]
        """
    )
    turns = loaded.script.turns
    assert [t.user for t in turns] == ["no", "88", "2026-12-02", "是", "yes"]
    assert turns[3].expect.contains == ["好的"]
    assert turns[4].expect.contains == ["a", "b"]
    assert loaded.turn_lines == (4, 5, 6, 7, 9)


def test_single_text_stands_for_a_list_and_version_is_accepted() -> None:
    loaded = parse(
        """
        version: "3.1"
        title: t
        turns:
          - click: 找养老
            expect:
              buttons: 转人工
              not_contains: 出错
        records:
          - table: districts
            where: {name: 西湖区}
            count: 1
        """
    )
    turn = loaded.script.turns[0]
    assert turn.expect.buttons == ["转人工"]
    assert turn.expect.not_contains == ["出错"]
    assert loaded.script.records[0].count == 1
    assert loaded.record_lines == (10,)


def test_malformed_script_names_file_turn_line_and_problem() -> None:
    with pytest.raises(ScriptFormatError) as caught:
        load_script(DATA / "malformed_script.yml")
    message = str(caught.value)
    assert "malformed_script.yml" in message
    assert "turn 1 (line 4) → expect: unknown key `contians`" in message
    assert "turn 2 (line 7)" in message and "exactly one of `user:`" in message
    assert "turn 3 (line 9) → expect.matches" in message and "bad regex" in message
    assert "records check 1 (line 14): `table` is missing" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("title: t\nturns: []\n", "turns"),
        ("turns:\n  - user: 你好\n", "`title` is missing"),
        ("- user: 你好\n", "a mapping with `title:`"),
        ("title: t\nturns:\n  - user: [\n", "not valid YAML"),
        ("title: t\nturns:\n  - user: 你好\n    expect: {contains: '{next_wednesday}'}\n",
         "turn 1 (line 3): unknown variable {next_wednesday}"),
        ("title: t\nvars: {d: '{todya}'}\nturns:\n  - user: '{d}'\n", "vars.d: unknown variable"),
        ("title: t\nturns:\n  - user: '{today:dmy}'\n", "unknown format"),
        ("title: t\nturns:\n  - user: hi\nrecords:\n  - table: x\n    count: -1\n",
         "records check 1 (line 5) → count"),
    ],
)  # fmt: skip
def test_format_errors_are_clear(text: str, fragment: str) -> None:
    with pytest.raises(ScriptFormatError) as caught:
        parse(text, "bad.yml")
    assert "bad.yml" in str(caught.value)
    assert fragment in str(caught.value)


def test_discover_scripts_selects_named_files_or_all(tmp_path: Path) -> None:
    (tmp_path / "b.yml").write_text("x", encoding="utf-8")
    (tmp_path / "a.yml").write_text("x", encoding="utf-8")
    assert [p.name for p in discover_scripts(tmp_path)] == ["a.yml", "b.yml"]
    assert discover_scripts(tmp_path, f"{tmp_path / 'b.yml'}") == [tmp_path / "b.yml"]
    with pytest.raises(ScriptFormatError, match="no such conversation script"):
        discover_scripts(tmp_path, "nope.yml")


def test_every_checked_in_script_is_valid() -> None:
    scripts = discover_scripts(Path(__file__).parents[1] / "conversations")
    assert scripts
    for path in scripts:
        load_script(path)  # raises with a clear message


def test_sender_ids_are_fresh_and_accepted_by_the_gateway() -> None:
    first, second = new_sender("base_greeting_menu"), new_sender("base_greeting_menu")
    assert first != second
    assert first.startswith("conv-base_greeting_menu-")
    assert 8 <= len(new_sender("婚姻" * 40)) <= 64
    assert new_sender("婚姻").replace("-", "").replace("_", "").isalnum()
