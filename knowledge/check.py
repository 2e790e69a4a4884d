"""``make kb-check``: everything an editor should fix before a change goes live.

Run as ``python -m knowledge.check``. Prints one line per problem, ``file:line: 级别: message``,
and exits with status 1 when there is at least one error (warnings alone exit 0).

Checks: every file against its schema; the settings, gazetteer and dictionary files; the same
example question in two articles (error) or the same words in another order (warning); expired
``review_by`` dates (warning); ``related`` ids that do not exist (error); sources an editor cannot
open or ``official`` used for a non-government text (error, see :mod:`knowledge.source_checks`);
the official-facts suite (error below 90% or when a question is lost); wording that contradicts
a dated rule of ``policies/`` or invents an address or phone number (error in articles, policies
and seeded records, warning in the bot's responses); every example question finds its own article.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from knowledge import facts
from knowledge.citizen_text import citizen_texts
from knowledge.findings import Finding
from knowledge.gazetteer import load_gazetteer
from knowledge.loader import KnowledgeBase, load_contacts, scan_knowledge_base
from knowledge.referral_coverage import check_referral_coverage
from knowledge.search import KnowledgeIndex
from knowledge.search_settings import load_search_settings
from knowledge.source_checks import check_sources
from knowledge.store import build_index_for
from knowledge.tokenizer import DEFAULT_USER_DICTIONARY, check_user_dictionary
from knowledge.wording_checks import check_contradictions, check_invented_specifics
from knowledge.yamlfile import KnowledgeError
from zhtext.city_time import city_today

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FACTS_DIR = Path("tests/knowledge/facts")
LONG_ANSWER = 250
RECOMMENDED_QUESTIONS = 4

_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def run_checks(
    root: Path,
    *,
    today: date,
    user_dictionary: Path = DEFAULT_USER_DICTIONARY,
    regression: bool = True,
    other_texts: Sequence[tuple[Path, str]] = (),
    facts_dir: Path | None = None,
    facts_report: list[str] | None = None,
) -> list[Finding]:
    """Run every check on a knowledge folder.

    Args:
        root: The knowledge folder.
        today: Date against which ``review_by`` is compared.
        user_dictionary: The shared jieba user dictionary.
        regression: Also check that every example question finds its own article.
        other_texts: Files outside the folder whose texts citizens read, with their kind
            (``response`` for Rasa domain files, ``seed`` for records), checked for invented
            specifics (errors in records, warnings in responses) and contradicted rules.
        facts_dir: The official-facts suite (``tests/knowledge/facts``), run when given.
        facts_report: Receives the suite's per-article report lines.

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
    findings += _check_wording(kb, other_texts)
    findings += check_sources(kb) + check_referral_coverage(kb)
    wanted = regression or facts_dir is not None
    if wanted and kb.articles and not any(f.level == "错误" for f in findings):
        try:
            index = build_index_for(kb, user_dictionary=user_dictionary)
        except KnowledgeError as error:
            findings.append(Finding.from_error(error))
        else:
            if regression:
                findings += check_regression(index)
            if facts_dir is not None:
                findings += check_facts(index, facts_dir, facts_report)
    return findings


def check_facts(
    index: KnowledgeIndex, folder: Path, report_lines: list[str] | None = None
) -> list[Finding]:
    """Run the official-facts suite: errors for lost questions and a share below the bar.

    Args:
        index: The index of the whole knowledge base.
        folder: The suite folder.
        report_lines: Receives the per-article report.

    Returns:
        Problems with the suite files, questions no longer complete, and a low share.
    """
    cases, errors = facts.load_cases(folder)
    findings = [Finding.from_error(error) for error in errors]
    results = facts.run_suite(index, cases)
    baseline = facts.read_baseline(folder)
    if report_lines is not None:
        report_lines += facts.report(results, baseline, PROJECT_ROOT)
    for lost in facts.regressions(results, baseline):
        located = lost.located
        findings.append(
            Finding(
                "错误",
                located.path,
                located.line,
                f"「{located.case.question}」以前答全，现在不再答全"
                f"（答案文章：{lost.article_id or '无'}，缺：{'、'.join(lost.missing) or '—'}）",
            )
        )
    complete = sum(result.complete for result in results)
    if results and complete < facts.REQUIRED_SHARE * len(results):
        findings.append(
            Finding(
                "错误",
                folder,
                None,
                f"官方事实回归只答全 {complete}/{len(results)} 题，低于 {facts.REQUIRED_SHARE:.0%}",
            )
        )
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


def _check_wording(kb: KnowledgeBase, other_texts: Sequence[tuple[Path, str]]) -> list[Finding]:
    texts, errors = citizen_texts(kb, other_texts)
    try:
        contacts = load_contacts(kb.root)
    except KnowledgeError:
        contacts = None  # reported by _check_support_files
    findings = [Finding.from_error(error, "警告") for error in errors]
    return findings + check_contradictions(kb, texts) + check_invented_specifics(texts, contacts)


def project_texts(project: Path) -> list[tuple[Path, str]]:
    """The bot's responses and the seeded records of a project, which citizens also read."""
    responses = [(path, "response") for path in sorted((project / "bot/domain").glob("*.yml"))]
    seeds = sorted((project / "backoffice/records").glob("*/seed_data.yml"))
    return responses + [(path, "seed") for path in seeds]


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


@functools.cache
def _jieba_main_dictionary() -> frozenset[str]:
    # Read jieba's own word list rather than its in-memory one, which this process may have
    # extended with gazetteer words (Rasa only gets the main list plus the user dictionary).
    import jieba

    with jieba.dt.get_dict_file() as handle:
        lines = [line.split(maxsplit=1) for line in handle if line.strip()]
    return frozenset(words[0].decode("utf-8") for words in lines)


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
    parser.add_argument("--today", type=date.fromisoformat, default=city_today())
    parser.add_argument("--no-regression", action="store_true", help="跳过示例问题回归检查")
    parser.add_argument(
        "--facts", type=Path, default=None, help="官方事实回归题目（默认 tests/knowledge/facts）"
    )
    parser.add_argument(
        "--update-facts-baseline",
        action="store_true",
        help="看过报告后，把现在答全的问题记为基线（之后不再答全的会报错）",
    )
    args = parser.parse_args(argv)
    base = args.root.resolve().parent
    facts_dir = args.facts
    if facts_dir is None and args.root.resolve() == PROJECT_ROOT / "knowledge":
        facts_dir = PROJECT_ROOT / FACTS_DIR
    report: list[str] = []
    findings = run_checks(
        args.root,
        today=args.today,
        user_dictionary=args.dictionary,
        regression=not args.no_regression,
        other_texts=project_texts(base),
        facts_dir=facts_dir,
        facts_report=report,
    )
    for line in report:
        print(line)
    for finding in findings:
        print(finding.describe(base))
    if args.update_facts_baseline and facts_dir is not None:
        kb = scan_knowledge_base(args.root).knowledge_base
        cases, _ = facts.load_cases(facts_dir)
        results = facts.run_suite(build_index_for(kb, user_dictionary=args.dictionary), cases)
        facts.write_baseline(facts_dir, results)
        print(f"已更新基线：{facts_dir / facts.BASELINE_FILE}")
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
