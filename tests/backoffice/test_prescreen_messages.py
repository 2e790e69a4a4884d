"""The pre-screen back office's wording lives in its `messages.yml`, not in Python."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from backoffice.records.prescreen import texts
from core.texts import read_texts

PACKAGE = Path(texts.__file__).parent
HAN = re.compile(r"[\u4e00-\u9fff]")


def _modules() -> list[Path]:
    return sorted(PACKAGE.glob("*.py"))


def _docstrings(tree: ast.Module) -> set[int]:
    nodes = [tree, *ast.walk(tree)]
    found: set[int] = set()
    for node in nodes:
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.name)
def test_no_chinese_string_literals_outside_docstrings(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    chinese = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and HAN.search(node.value)
    ]
    assert chinese == [], f"{path.name}: Chinese text in code on lines {chinese}"


def test_every_key_used_has_a_message() -> None:
    catalogue = read_texts(texts.MESSAGES.path)
    used = {
        str(node.args[0].value)
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "text"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert used, "the modules name no message"
    assert sorted(used - set(catalogue)) == []


def test_placeholders_are_filled() -> None:
    assert texts.text("unknown_district", district="atlantis") == "未知的区县代码：atlantis"
    assert texts.text("policy_unknown_tiers", entry="dibao-2024", tiers="x, y") == (
        "dibao-2024：未知的分档 x, y"
    )
