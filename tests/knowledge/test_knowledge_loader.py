"""Loader and schema: valid folders load, broken files are refused with file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from knowledge.loader import load_knowledge_base, scan_knowledge_base
from knowledge.yamlfile import KnowledgeError


def test_small_folder_loads_sorted_and_immutable(small_kb: Path) -> None:
    kb = load_knowledge_base(small_kb)
    assert [a.id for a in kb] == [
        "assistance-dibao-conditions",
        "marriage-cooling-off",
        "marriage-fees",
    ]
    assert kb.get("marriage-fees") is not None
    assert kb.topics["marriage"] == "婚姻登记"
    with pytest.raises(ValidationError):  # frozen pydantic model
        kb.articles[0].title = "改"  # type: ignore[misc]
    with pytest.raises(TypeError):
        kb.topics["x"] = "y"  # type: ignore[index]


def _error(root: Path) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge_base(root)
    return caught.value


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"questions": ["只有一个问题", "两个"]}, "questions", "至少需要 3 项"),
        ({"effective_from": "2025-13-01"}, "effective_from", "日期格式"),
        ({"review_by": "2025-01-01"}, "review_by", "必须晚于"),
        ({"topic": "assistance"}, "topic", "所在文件夹"),
        ({"sample": True}, "sample", "sample: true 与 source.confidence"),
        ({"answr": "拼错的字段"}, "answr", "未知字段"),
        ({"related": ["marriage-fees"]}, "related", "不能引用文章自己"),
        ({"related": ["Not An Id"]}, "related", "不是有效的文章 id"),
    ],
)
def test_invalid_field_names_file_line_and_field(
    make_article: Callable[..., dict[str, object]],
    small_kb: Path,
    write: Callable[..., Path],
    overrides: dict[str, object],
    field: str,
    words: str,
) -> None:
    path = write(make_article(**overrides), name="marriage-fees.yml", folder="marriage")
    error = _error(small_kb)
    assert error.path == path
    assert error.field is not None and error.field.startswith(field)
    assert words in error.message
    assert error.line is not None and error.line > 1
    line_text = path.read_text(encoding="utf-8").splitlines()[error.line - 1]
    assert line_text.lstrip("- ").startswith(field) or field == "questions"


def test_missing_field_is_reported(
    make_article: Callable[..., dict[str, object]], small_kb: Path, write: Callable[..., Path]
) -> None:
    data = make_article()
    del data["last_editor"]
    write(data)
    error = _error(small_kb)
    assert error.field == "last_editor"
    assert "缺少必填字段" in error.message


def test_id_must_equal_file_name(
    make_article: Callable[..., dict[str, object]], small_kb: Path, write: Callable[..., Path]
) -> None:
    write(make_article(id="marriage-fee"), name="marriage-fees.yml")
    error = _error(small_kb)
    assert error.field == "id"
    assert "marriage-fees.yml" in error.message


def test_unknown_topic_is_refused(
    make_article: Callable[..., dict[str, object]], small_kb: Path, write: Callable[..., Path]
) -> None:
    write(make_article(id="funeral-free", topic="funeral"))
    error = _error(small_kb)
    assert error.field == "topic"
    assert "topics.yml" in error.message


def test_source_needs_url_or_document_title(
    make_article: Callable[..., dict[str, object]], small_kb: Path, write: Callable[..., Path]
) -> None:
    write(make_article(source={"title": "某网页", "confidence": "press"}))
    error = _error(small_kb)
    assert error.field == "source"
    assert "《》" in error.message
    write(make_article(source={"title": "某网页", "url": "ftp://x.cn/a", "confidence": "press"}))
    assert _error(small_kb).field == "source.url"


def test_document_title_without_url_is_accepted(
    make_article: Callable[..., dict[str, object]], small_kb: Path, write: Callable[..., Path]
) -> None:
    write(
        make_article(
            source={"title": "《民法典》", "clause": "第一千零七十七条", "confidence": "official"}
        )
    )
    assert load_knowledge_base(small_kb).get("marriage-fees") is not None


def test_sample_content_must_say_so(
    make_article: Callable[..., dict[str, object]], small_kb: Path, write: Callable[..., Path]
) -> None:
    sample_source = {"title": "示例", "confidence": "sample"}
    write(make_article(sample=True, source=sample_source, answer="一般免费。"))
    error = _error(small_kb)
    assert error.field == "sample"
    assert "示例内容，待核实" in error.message
    write(make_article(sample=True, source=sample_source, answer="一般免费（示例内容，待核实）。"))
    assert load_knowledge_base(small_kb).get("marriage-fees").sample  # type: ignore[union-attr]


def test_yaml_syntax_error_points_at_line(small_kb: Path) -> None:
    path = small_kb / "articles" / "marriage" / "marriage-fees.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = "topic: [marriage"  # unclosed flow sequence
    path.write_text("\n".join(lines), encoding="utf-8")
    error = _error(small_kb)
    assert error.path == path
    assert "YAML 格式错误" in error.message
    assert error.line is not None and error.line >= 3


def test_duplicate_key_is_refused(small_kb: Path) -> None:
    path = small_kb / "articles" / "marriage" / "marriage-fees.yml"
    path.write_text(path.read_text(encoding="utf-8") + "title: 又一个标题\n", encoding="utf-8")
    error = _error(small_kb)
    assert error.field == "title"
    assert "重复" in error.message
    assert error.line == len(path.read_text(encoding="utf-8").splitlines())


def test_not_utf8_is_refused(small_kb: Path) -> None:
    path = small_kb / "articles" / "marriage" / "marriage-fees.yml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    assert "UTF-8" in _error(small_kb).message


def test_misplaced_and_misnamed_files_are_reported(small_kb: Path) -> None:
    (small_kb / "articles" / "loose.yml").write_text("id: loose\n", encoding="utf-8")
    (small_kb / "articles" / "marriage" / "x.yaml").write_text("id: x\n", encoding="utf-8")
    (small_kb / "articles" / "marriage" / "_draft.yml").write_text(
        "not: checked\n", encoding="utf-8"
    )
    report = scan_knowledge_base(small_kb)
    messages = sorted(error.message for error in report.errors)
    assert messages == ["扩展名请用 .yml", "文章必须放在 articles/<主题>/ 文件夹中"]
    assert len(report.knowledge_base) == 3


def test_same_id_in_two_folders_is_refused(
    make_article: Callable[..., dict[str, object]], small_kb: Path, write: Callable[..., Path]
) -> None:
    write(make_article(id="marriage-fees", topic="assistance"))
    error = _error(small_kb)
    assert error.field == "id"
    assert "重复" in error.message


def test_scan_keeps_valid_articles_and_lists_every_problem(
    make_article: Callable[..., dict[str, object]], small_kb: Path, write: Callable[..., Path]
) -> None:
    write(make_article(review_by="2020-01-01"), name="marriage-fees.yml")
    write(make_article(id="marriage-x", questions=["一", "二"]))
    report = scan_knowledge_base(small_kb)
    assert {error.path.name for error in report.errors} == {"marriage-fees.yml", "marriage-x.yml"}
    assert [a.id for a in report.knowledge_base] == [
        "assistance-dibao-conditions",
        "marriage-cooling-off",
    ]


def test_error_text_is_file_line_field_message(
    make_article: Callable[..., dict[str, object]], small_kb: Path, write: Callable[..., Path]
) -> None:
    write(make_article(review_by="2025-01-01"))
    text = _error(small_kb).describe(small_kb.parent)
    assert text.startswith("knowledge/articles/marriage/marriage-fees.yml:")
    assert ": review_by: " in text


def test_missing_topics_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match=r"topics\.yml"):
        load_knowledge_base(tmp_path)
