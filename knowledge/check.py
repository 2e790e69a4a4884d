"""``make kb-check``: everything an editor should fix before a change goes live.

Run as ``python -m knowledge.check``. Prints one line per problem, ``file:line: 级别: message``,
and exits with status 1 when there is at least one error (warnings alone exit 0).

Checks: every file against its schema; the settings, gazetteer and dictionary files; the same
example question in two articles (error) or the same words in another order (warning); expired
``review_by`` dates (warning); ``related`` ids that do not exist (error); and a regression check
that every example question finds its own article first (error).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from knowledge.gazetteer import load_gazetteer
from knowledge.loader import KnowledgeBase, load_contacts, scan_knowledge_base
from knowledge.search import KnowledgeIndex
from knowledge.search_settings import load_search_settings
from knowledge.store import build_index_for
from knowledge.tokenizer import DEFAULT_USER_DICTIONARY, check_user_dictionary
from knowledge.yamlfile import KnowledgeError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LONG_ANSWER = 250
RECOMMENDED_QUESTIONS = 4

Level = Literal["错误", "警告"]
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Finding:
    """One problem found by the check.

    Attributes:
        level: ``错误`` (blocks the change) or ``警告`` (should be looked at).
        path: The file.
        line: 1-based line, when known.
        message: What is wrong and how to fix it.
    """

    level: Level
    path: Path
    line: int | None
    message: str

    def describe(self, relative_to: Path) -> str:
        """Return ``file:line: level: message``."""
        path = (
            self.path.relative_to(relative_to)
            if self.path.is_relative_to(relative_to)
            else self.path
        )
        where = f"{path}:{self.line}" if self.line is not None else str(path)
        return f"{where}: {self.level}: {self.message}"

    @classmethod
    def from_error(cls, error: KnowledgeError, level: Level = "错误") -> Finding:
        """Wrap a loading error."""
        field = f"{error.field}: " if error.field else ""
        return cls(level=level, path=error.path, line=error.line, message=field + error.message)


def run_checks(
    root: Path,
    *,
    today: date,
    user_dictionary: Path = DEFAULT_USER_DICTIONARY,
    regression: bool = True,
) -> list[Finding]:
    """Run every check on a knowledge folder.

    Args:
        root: The knowledge folder.
        today: Date against which ``review_by`` is compared.
        user_dictionary: The shared jieba user dictionary.
        regression: Also check that every example question finds its own article.

    Returns:
        All findings, errors and warnings, in file order.
    """
    try:
        report = scan_knowledge_base(root)
    except KnowledgeError as error:  # topics.yml unusable: nothing else can be checked
        return [Finding.from_error(error)]
    findings = [Finding.from_error(error) for error in report.errors]
    findings += _check_support_files(root, user_dictionary)
    kb = report.knowledge_base
    findings += _check_questions(kb)
    findings += _check_related(kb, unusable={error.path.stem for error in report.errors})
    findings += _check_review_dates(kb, today)
    findings += _check_style(kb)
    if regression and kb.articles and not any(f.level == "错误" for f in findings):
        try:
            index = build_index_for(kb, user_dictionary=user_dictionary)
        except KnowledgeError as error:
            findings.append(Finding.from_error(error))
        else:
            findings += check_regression(index)
    return findings


def check_regression(index: KnowledgeIndex) -> list[Finding]:
    """Check that every example question ranks its own article first.

    Args:
        index: The index of the whole knowledge base.

    Returns:
        One error per example question that finds another article first.
    """
    kb = index.knowledge_base
    findings = []
    for article in kb.articles:
        location = kb.locations[article.id]
        for number, question in enumerate(article.questions):
            best = index.search(question, exact=False).best
            if best is not None and best.article_id == article.id:
                continue
            found = best.article_id if best else "（没有结果）"
            findings.append(
                Finding(
                    "错误",
                    location.path,
                    location.line_of_question(number),
                    f"示例问题「{question}」检索到的第一名是 {found}，不是本文。"
                    "请把问法改得更具体，或调整另一篇文章的问法",
                )
            )
    return findings


def _check_support_files(root: Path, user_dictionary: Path) -> list[Finding]:
    findings: list[Finding] = []
    for load in (load_contacts, load_search_settings):
        try:
            load(root)
        except KnowledgeError as error:
            findings.append(Finding.from_error(error))
    try:
        words = set(check_user_dictionary(user_dictionary))
        gazetteer = load_gazetteer(root)
    except KnowledgeError as error:
        findings.append(Finding.from_error(error))
        return findings
    known = words | _jieba_main_dictionary()
    missing = sorted(term for term in gazetteer.terms if term not in known and not term.isascii())
    if missing:
        findings.append(
            Finding(
                "警告",
                root / "gazetteer.yml",
                None,
                f"以下词语不在 {user_dictionary.name} 中，Rasa 分词时可能被拆开："
                + "、".join(missing),
            )
        )
    return findings


def _jieba_main_dictionary() -> set[str]:
    # Read jieba's own word list rather than its in-memory one, which this process may have
    # extended with gazetteer words (Rasa only gets the main list plus the user dictionary).
    import jieba

    with jieba.dt.get_dict_file() as handle:
        return {line.split(maxsplit=1)[0].decode("utf-8") for line in handle if line.strip()}


def _normalised(question: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", question).lower())


def _check_questions(kb: KnowledgeBase) -> list[Finding]:
    findings = []
    seen: dict[str, tuple[str, int]] = {}
    for article in kb.articles:
        location = kb.locations[article.id]
        for number, question in enumerate(article.questions):
            key = _normalised(question)
            line = location.line_of_question(number)
            if key in seen:
                other_id, other_number = seen[key]
                other = kb.locations[other_id]
                where = f"{other.path.name}:{other.line_of_question(other_number)}"
                same_article = other_id == article.id
                findings.append(
                    Finding(
                        "警告" if same_article else "错误",
                        location.path,
                        line,
                        f"示例问题「{question}」与 {where} 重复"
                        + ("" if same_article else "，同一问法不能属于两篇文章"),
                    )
                )
                continue
            seen[key] = (article.id, number)
    return findings + _check_conflicts(kb)


def _check_conflicts(kb: KnowledgeBase) -> list[Finding]:
    # Same characters in another order ("低保怎么申请" / "怎么申请低保") in two articles.
    findings = []
    seen: dict[str, tuple[str, int, str]] = {}
    for article in kb.articles:
        location = kb.locations[article.id]
        for number, question in enumerate(article.questions):
            normalised = _normalised(question)
            key = "".join(sorted(normalised))
            other = seen.setdefault(key, (article.id, number, normalised))
            other_id, other_number, other_normalised = other
            if other_id == article.id or other_normalised == normalised:
                continue  # same article, or an exact duplicate (reported as an error already)
            other_location = kb.locations[other_id]
            findings.append(
                Finding(
                    "警告",
                    location.path,
                    location.line_of_question(number),
                    f"示例问题「{question}」与 {other_location.path.name}:"
                    f"{other_location.line_of_question(other_number)} 用字相同、只是顺序不同，"
                    "两篇文章会互相冲突",
                )
            )
    return findings


def _check_related(kb: KnowledgeBase, *, unusable: set[str]) -> list[Finding]:
    # Articles whose file exists but failed validation are reported already; not "dead".
    findings = []
    for article in kb.articles:
        location = kb.locations[article.id]
        for related_id in article.related:
            if related_id not in kb and related_id not in unusable:
                findings.append(
                    Finding(
                        "错误",
                        location.path,
                        location.field_lines.get("related"),
                        f"related 引用的文章「{related_id}」不存在",
                    )
                )
    return findings


def _check_review_dates(kb: KnowledgeBase, today: date) -> list[Finding]:
    findings = []
    for article in kb.articles:
        if article.review_by < today:
            location = kb.locations[article.id]
            findings.append(
                Finding(
                    "警告",
                    location.path,
                    location.field_lines.get("review_by"),
                    f"复核日期 {article.review_by} 已过，请核对内容后更新 review_by",
                )
            )
    return findings


def _check_style(kb: KnowledgeBase) -> list[Finding]:
    findings = []
    for article in kb.articles:
        location = kb.locations[article.id]
        if len(article.answer) > LONG_ANSWER:
            findings.append(
                Finding(
                    "警告",
                    location.path,
                    location.field_lines.get("answer"),
                    f"回答有 {len(article.answer)} 字，建议控制在 200 字左右",
                )
            )
        if len(article.questions) < RECOMMENDED_QUESTIONS:
            findings.append(
                Finding(
                    "警告",
                    location.path,
                    location.field_lines.get("questions"),
                    f"只有 {len(article.questions)} 个示例问题，"
                    f"建议至少 {RECOMMENDED_QUESTIONS} 个",
                )
            )
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    """Print the findings and return 1 when there are errors."""
    parser = argparse.ArgumentParser(description="检查知识库文件（make kb-check）")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT / "knowledge")
    parser.add_argument("--dictionary", type=Path, default=DEFAULT_USER_DICTIONARY)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--no-regression", action="store_true", help="跳过示例问题回归检查")
    args = parser.parse_args(argv)
    findings = run_checks(
        args.root,
        today=args.today,
        user_dictionary=args.dictionary,
        regression=not args.no_regression,
    )
    base = args.root.resolve().parent
    for finding in findings:
        print(finding.describe(base))
    errors = sum(finding.level == "错误" for finding in findings)
    warnings = len(findings) - errors
    try:
        count = len(scan_knowledge_base(args.root).knowledge_base)
    except KnowledgeError:
        count = 0
    print(f"检查完成：{count} 篇有效文章，{errors} 个错误，{warnings} 个警告。")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
