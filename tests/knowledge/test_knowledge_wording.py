"""One source of truth per rule, and no invented addresses or numbers in what citizens read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from backoffice.records.marriage.policy import load_policy
from knowledge.check import PROJECT_ROOT, project_texts, run_checks
from knowledge.loader import KnowledgeBase, scan_knowledge_base

TODAY = date(2026, 11, 28)
STATEMENT = "周六、周日也能办理，但要事先预约；本助手只能预约工作日。"
WEEKEND_RULE = {
    "weekend": {
        "effective_from": "2019-08-07",
        "statement": STATEMENT,
        "contradicted_by": ["周末[^。]{0,6}不办公"],
        "source": {
            "title": "杭州网 2019-08-06",
            "url": "https://example.gov.cn/a",
            "confidence": "press",
        },
    }
}


def _write_policy(root: Path, data: dict[str, Any]) -> None:
    (root / "policies").mkdir(exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (root / "policies" / "marriage_booking.yml").write_text(text, encoding="utf-8")


def _errors(root: Path, **kwargs: Any) -> list[str]:
    found = run_checks(root, today=TODAY, regression=False, **kwargs)
    return [f.describe(root.parent) for f in found if f.level == "错误"]


def _weekend_article(make_article: Callable[..., dict[str, Any]], answer: str) -> dict[str, Any]:
    return make_article(
        id="marriage-weekend",
        title="周末可以登记吗？",
        questions=["周六能领证吗", "双休日登记处开门吗", "周日想登记怎么办", "周末领证要预约吗"],
        answer=answer,
        rule="marriage_booking.weekend" if "{rule}" in answer else None,
    )


def test_an_article_quotes_its_rule_word_for_word(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    _write_policy(small_kb, WEEKEND_RULE)
    write(_weekend_article(make_article, "{rule}\n出发前请带好身份证。\n"))
    report = scan_knowledge_base(small_kb)
    assert report.errors == ()
    article = report.knowledge_base.get("marriage-weekend")
    assert article is not None
    assert article.answer.startswith(STATEMENT)
    assert "{rule}" not in article.answer


def test_an_unknown_rule_or_an_unquoted_rule_is_an_error(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    write(_weekend_article(make_article, "{rule}\n"))  # no policy file: the rule does not exist
    assert any("找不到规则「marriage_booking.weekend」" in line for line in _errors(small_kb))
    _write_policy(small_kb, WEEKEND_RULE)
    data = _weekend_article(make_article, "周末请预约。\n") | {"rule": "marriage_booking.weekend"}
    write(data)
    assert any("answer 里要写 {rule}" in line for line in _errors(small_kb))


def test_an_article_contradicting_a_rule_fails_the_check(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    _write_policy(small_kb, WEEKEND_RULE)
    write(_weekend_article(make_article, "周末登记处不办公，请工作日再来。\n"))
    errors = _errors(small_kb)
    assert len(errors) == 1
    assert "marriage-weekend.yml" in errors[0] and "marriage_booking.weekend" in errors[0]


@pytest.mark.parametrize(
    ("answer", "sample", "expected"),
    [
        ("旧衣物请送到上城区示例路 1 号。\n", False, "示例路"),
        ("请拨打 0571-86661234 咨询。\n", False, "0571-86661234"),
        ("请拨打 13912345678 联系社工。\n", False, "13912345678"),
        ("请致电热线 96123 咨询。\n", False, "96123"),
        ("捐赠点在文三路 188 号（示例内容，待核实）。\n", True, "文三路 188 号"),
    ],
)
def test_invented_addresses_and_numbers_are_errors(
    small_kb: Path,
    write: Callable[..., Path],
    make_article: Callable[..., dict[str, Any]],
    answer: str,
    sample: bool,
    expected: str,
) -> None:
    source = {"title": "示例：待核实", "confidence": "sample"} if sample else None
    extra: dict[str, Any] = {"sample": True, "source": source} if sample else {}
    write(make_article(answer=answer, **extra))
    errors = _errors(small_kb)
    assert len(errors) == 1 and expected in errors[0], errors


@pytest.mark.parametrize(
    "answer",
    [
        "请拨打12345或社会事务处电话 87008174 咨询；紧急情况请拨打110。\n",  # in contacts.yml
        "补贴每月 1200 元，2025年5月10日起施行，约 2732 对新人登记。\n",  # figures, dates
        "据2019年的文件，社会事务处在文三路359号。\n",  # a sourced address, not sample content
    ],
)
def test_sourced_numbers_figures_and_addresses_pass(
    small_kb: Path,
    write: Callable[..., Path],
    make_article: Callable[..., dict[str, Any]],
    answer: str,
) -> None:
    write(make_article(answer=answer))
    assert _errors(small_kb) == []


def test_responses_are_scanned_as_warnings(small_kb: Path, tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(
        'version: "3.1"\nresponses:\n  utter_x:\n    - text: 请到西湖区示例路 9 号办理。\n',
        encoding="utf-8",
    )
    found = run_checks(small_kb, today=TODAY, regression=False, other_texts=[(domain, "response")])
    assert [(f.level, f.line) for f in found] == [("警告", 4)]
    assert "示例路" in found[0].message


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("    address: 上城区示例路 1 号（示例地址，待核实）\n", "示例路"),
        ("    address: 杭州市西湖区西溪街道文三路 188 号\n", "文三路 188 号"),
        ('    phone: "0571-00001001"\n', "0571-00001001"),
    ],
)
def test_an_invented_address_or_number_in_a_seed_file_is_an_error(
    small_kb: Path, tmp_path: Path, record: str, expected: str
) -> None:
    seed = tmp_path / "seed_data.yml"
    seed.write_text(
        f"sample: true\npoints:\n  - name: 上城区慈善物资接收点（示例）\n{record}",
        encoding="utf-8",
    )
    found = run_checks(small_kb, today=TODAY, regression=False, other_texts=[(seed, "seed")])
    assert {(f.level, f.line) for f in found} == {("错误", 4)}
    assert any(expected in f.message for f in found)


def test_a_seed_file_that_says_where_to_ask_passes(small_kb: Path, tmp_path: Path) -> None:
    seed = tmp_path / "seed_data.yml"
    seed.write_text(
        "sample: true\npoints:\n  - name: 西湖区颐养院（示例）\n"
        "    address: 详细地址待核实，请拨打 12345 询问\n"
        '    phone: "12345"\n'
        # An applicant's own numbers (proof for a status lookup) are not numbers to call.
        'applications:\n  - applicant_phone: "13800000001"\n'
        '    id_number: "330106195803120026"\n',
        encoding="utf-8",
    )
    assert _errors(small_kb, other_texts=[(seed, "seed")]) == []


def test_the_real_knowledge_base_and_responses_invent_nothing(real_kb: KnowledgeBase) -> None:
    findings = run_checks(
        real_kb.root, today=TODAY, regression=False, other_texts=project_texts(PROJECT_ROOT)
    )
    errors = [f.describe(PROJECT_ROOT) for f in findings if f.level == "错误"]
    assert errors == []
    placeholders = [f for f in findings if "response" in str(f.path) and "示例路" in f.message]
    assert placeholders == []


def test_the_booking_form_and_the_weekend_article_read_one_statement(
    real_kb: KnowledgeBase,
) -> None:
    policy = load_policy(real_kb.root / "policies" / "marriage_booking.yml")
    article = real_kb.get("marriage-weekend-booking")
    assert article is not None and article.rule == "marriage_booking.weekend"
    assert policy.weekend.statement in article.answer
    assert real_kb.rules["marriage_booking.weekend"].statement == policy.weekend.statement
    assert "{statement}" in policy.weekend.form_reply and "{day}" in policy.weekend.form_reply
