"""Every text a citizen may read: article answers, policy wording, and the bot's responses.

Checks that look at wording (invented addresses and numbers, rules said the other way round) read
the texts through :func:`citizen_texts`, each with the file and line an editor has to open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.loader import KnowledgeBase
from knowledge.rules import POLICIES_DIR
from knowledge.yamlfile import KnowledgeError, YamlDocument, read_yaml

# Keys whose values are never shown to citizens (addresses of sources, patterns, dates, codes), and
# an applicant's own numbers in seeded records (proof for a status lookup, only shown masked).
_NOT_SHOWN = frozenset(
    {"url", "contradicted_by", "effective_from", "updated", "as_of", "id", "code", "slug"}
    | {"id_number", "applicant_phone"}
)
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class CitizenText:
    """One text as a citizen would read it.

    Attributes:
        path: The file it comes from.
        line: 1-based line, when known.
        where: What it is (``answer``, ``weekend.statement``, ``utter_marriage_intro``).
        text: The text with web addresses removed (they are checked as sources, not as wording).
        sample: The text belongs to content marked as an unverified example.
        kind: ``article``, ``policy``, ``response`` or ``seed``.
    """

    path: Path
    line: int | None
    where: str
    text: str
    sample: bool
    kind: str


def citizen_texts(
    kb: KnowledgeBase, others: Sequence[tuple[Path, str]] = ()
) -> tuple[list[CitizenText], list[KnowledgeError]]:
    """Collect the texts of articles, policies and other files (problems reading a file returned).

    Args:
        kb: The knowledge base (articles and its ``policies/`` folder).
        others: Further files and their kind: ``response`` (a Rasa domain file, its
            ``responses``) or ``seed`` (records shown to citizens, e.g. donation drop-off points).
    """
    texts = list(_article_texts(kb))
    errors: list[KnowledgeError] = []
    folder = kb.root / POLICIES_DIR
    files = [(path, "policy") for path in sorted(folder.glob("*.yml")) if folder.is_dir()]
    for path, kind in [*files, *others]:
        try:
            document = read_yaml(path)
        except KnowledgeError as error:
            errors.append(error)
            continue
        texts += _file_texts(document, kind)
    return texts, errors


def _article_texts(kb: KnowledgeBase) -> Iterator[CitizenText]:
    for article in kb.articles:
        location = kb.locations[article.id]
        for field, text in (
            ("title", article.title),
            ("answer", article.answer),
            ("source", article.source.title),
        ):
            yield CitizenText(
                path=location.path,
                line=location.field_lines.get(field),
                where=field,
                text=_URL.sub(" ", text),
                sample=article.sample,
                kind="article",
            )


def _file_texts(document: YamlDocument, kind: str) -> Iterator[CitizenText]:
    data = document.data
    if kind == "response":
        data = data.get("responses", {}) if isinstance(data, dict) else {}
        prefix: tuple[str | int, ...] = ("responses",)
    else:
        prefix = ()
    sample = isinstance(document.data, dict) and (
        document.data.get("sample") is True or document.data.get("status") == "sample"
    )
    for location, text in _strings(data, prefix):
        yield CitizenText(
            path=document.path,
            line=document.line_of(location),
            where=".".join(str(part) for part in location[len(prefix) :]),
            text=_URL.sub(" ", text),
            sample=sample or _marked_sample(document.data, location),
            kind=kind,
        )


def _strings(
    value: object, location: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield location, value
    elif isinstance(value, dict):
        for key, child in value.items():
            if str(key) not in _NOT_SHOWN:
                yield from _strings(child, (*location, str(key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, (*location, index))


def _marked_sample(data: object, location: Sequence[str | int]) -> bool:
    # A policy entry with `sample: true` on the way down marks everything under it.
    node = data
    for part in location:
        if isinstance(node, dict) and node.get("sample") is True:
            return True
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return False
    return False
