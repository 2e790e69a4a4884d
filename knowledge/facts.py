"""The official-facts suite: real questions, the facts their answer must contain, and the source.

Files ``tests/knowledge/facts/<area>.yml`` hold real citizens' questions (from public FAQ pages,
12345 replies and policy Q&As), each with ``facts``: regular expressions (usually just a word or
a number, ``|`` for alternatives; half-width digits and punctuation, the answer is compared after
NFKC folding and without spaces) that the answer a citizen reads must contain, and the official
``source`` of those facts. :func:`run_suite` asks every question through the same search and the
same decision the action server uses (:mod:`knowledge.answer`) and records which facts are missing.

``baseline.txt`` lists the questions that were complete when an editor last accepted the result;
a question that drops out of it is reported as an error, so a change to one article cannot
quietly stop another question from being answered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.answer import answered_article, shown_text
from knowledge.schema import NonEmptyText, regular_expressions
from knowledge.search import KnowledgeIndex
from knowledge.yamlfile import KnowledgeError, read_yaml, validation_errors
from zhtext.normalise import normalise

BASELINE_FILE = "baseline.txt"
REQUIRED_SHARE = 0.9
MAX_QUESTION_CHARS = 500
_SPACE = re.compile(r"\s+")


class FactSource(BaseModel):
    """The official page or legal text the facts come from (an editor must be able to open it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: NonEmptyText
    url: NonEmptyText


class FactCase(BaseModel):
    """One real question and what a complete answer to it contains."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: NonEmptyText
    asked_at: NonEmptyText = Field(description="Where the citizen's wording was found")
    facts: tuple[NonEmptyText, ...] = Field(min_length=1)
    source: FactSource

    @field_validator("facts")
    @classmethod
    def _compiles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return regular_expressions(value, named="事实")


class FactsFile(BaseModel):
    """Content of one ``tests/knowledge/facts/<area>.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    questions: tuple[FactCase, ...] = Field(min_length=1)


@dataclass(frozen=True)
class LocatedCase:
    """A case and the file and line it is written on."""

    case: FactCase
    path: Path
    line: int | None


@dataclass(frozen=True)
class FactResult:
    """What the knowledge base answered to one question.

    Attributes:
        located: The question and where it is written.
        article_id: The article given as the answer (``None``: only suggestions or nothing).
        offered: Article ids offered instead (suggestion buttons or the top matches).
        missing: The facts the shown answer does not contain.
    """

    located: LocatedCase
    article_id: str | None
    offered: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """An article was given and it contains every fact."""
        return self.article_id is not None and not self.missing


def load_cases(folder: Path) -> tuple[list[LocatedCase], list[KnowledgeError]]:
    """Read every ``*.yml`` of the suite folder."""
    cases: list[LocatedCase] = []
    errors: list[KnowledgeError] = []
    for path in sorted(folder.glob("*.yml")):
        try:
            document = read_yaml(path)
        except KnowledgeError as error:
            errors.append(error)
            continue
        result = validation_errors(document, FactsFile)
        if isinstance(result, list):
            errors += result
            continue
        for number, case in enumerate(result.questions):
            line = document.line_of(("questions", number))
            cases.append(LocatedCase(case=case, path=path, line=line))
    return cases, errors


def run_suite(index: KnowledgeIndex, cases: Iterable[LocatedCase]) -> list[FactResult]:
    """Ask every question the way a citizen's message is asked, and check the shown answer."""
    results = []
    for located in cases:
        question = normalise(located.case.question, max_chars=MAX_QUESTION_CHARS).text
        search = index.search(question)
        article = answered_article(search)
        offered = tuple(m.article_id for m in (search.suggestions or search.matches[:3]))
        text = _comparable(shown_text(article)) if article is not None else ""
        missing = tuple(fact for fact in located.case.facts if not re.search(fact, text))
        results.append(
            FactResult(
                located=located,
                article_id=article.id if article is not None else None,
                offered=offered,
                missing=missing,
            )
        )
    return results


def read_baseline(folder: Path) -> set[str]:
    """The questions that were complete when the baseline was last written."""
    path = folder / BASELINE_FILE
    if not path.is_file():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def write_baseline(folder: Path, results: Sequence[FactResult]) -> None:
    """Record the questions complete now (after an editor has looked at the report)."""
    complete = sorted(r.located.case.question for r in results if r.complete)
    header = "# 上次确认时答全的问题（python -m knowledge.check --update-facts-baseline）\n"
    (folder / BASELINE_FILE).write_text(header + "\n".join(complete) + "\n", encoding="utf-8")


def report(results: Sequence[FactResult], baseline: set[str], relative_to: Path) -> list[str]:
    """The editor's report: per article what it answers fully and what it misses."""
    complete = sum(r.complete for r in results)
    share = complete / len(results) if results else 0.0
    lines = [
        f"官方事实回归：{len(results)} 题中 {complete} 题答全"
        f"（{share:.1%}，要求 ≥{REQUIRED_SHARE:.0%}）"
    ]
    by_article: dict[str, list[FactResult]] = {}
    for result in results:
        by_article.setdefault(result.article_id or "", []).append(result)
    for article_id in sorted(by_article, key=lambda key: (key == "", key)):
        group = by_article[article_id]
        full = sum(r.complete for r in group)
        title = article_id or "（没有直接回答：只给了候选或转介）"
        lines.append(f"  {title}：答全 {full} 题，未答全 {len(group) - full} 题")
        for result in group:
            if result.complete:
                continue
            lines.append("    ✗ " + _describe(result, relative_to))
    now = {r.located.case.question for r in results if r.complete}
    gained = sorted(now - baseline)
    if gained:
        lines.append("  与基线相比新答全：" + "；".join(f"「{q}」" for q in gained))
    return lines


def regressions(results: Sequence[FactResult], baseline: set[str]) -> list[FactResult]:
    """Questions complete in the baseline that are not complete now."""
    return [r for r in results if r.located.case.question in baseline and not r.complete]


def _describe(result: FactResult, relative_to: Path) -> str:
    located = result.located
    path = located.path
    where = path.relative_to(relative_to) if path.is_relative_to(relative_to) else path
    place = f"{where}:{located.line}" if located.line is not None else str(where)
    question = f"「{located.case.question}」"
    if result.article_id is None:
        offered = "、".join(result.offered) or "无"
        return f"{question} 没有直接回答（候选：{offered}）（{place}）"
    missing = "、".join(f"「{fact}」" for fact in result.missing)
    return f"{question} 缺：{missing}（{place}）"


def _comparable(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))
