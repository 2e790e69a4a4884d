"""Dated rules in ``policies/*.yml`` that articles quote instead of restating.

A rule is a top-level entry of a policy file with a ``statement`` (the sentence citizens read), its
``effective_from`` date, its ``source``, and ``contradicted_by``: patterns of wording that would
say the opposite. An article refers to one with ``rule: <file>.<entry>`` and writes ``{rule}``
where the statement goes, so the booking form and the article read the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.schema import RULE_PLACEHOLDER, NonEmptyText, Source, regular_expressions
from knowledge.yamlfile import KnowledgeError, YamlDocument, read_yaml

POLICIES_DIR = "policies"


class PolicyRule(BaseModel):
    """One rule as the editors date and source it.

    Attributes:
        statement: What citizens read, quoted by every article that refers to the rule.
        effective_from: Date from which the rule applies.
        source: Where the rule comes from.
        contradicted_by: Regular expressions; an article matching one says the opposite.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    statement: NonEmptyText
    effective_from: date
    source: Source
    contradicted_by: tuple[str, ...] = Field(min_length=1)

    @field_validator("contradicted_by")
    @classmethod
    def _compiles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return regular_expressions(value)

    def contradiction_in(self, text: str) -> str | None:
        """The first passage of ``text`` that says the opposite of this rule, if any."""
        for pattern in self.contradicted_by:
            found = re.search(pattern, text)
            if found:
                return found.group(0)
        return None


def load_rules(root: Path) -> tuple[Mapping[str, PolicyRule], list[KnowledgeError]]:
    """Read every rule of ``policies/*.yml`` (entries that have a ``statement``).

    Args:
        root: The knowledge folder.

    Returns:
        ``<file stem>.<entry>`` → rule, and the problems of invalid rules.
    """
    rules: dict[str, PolicyRule] = {}
    errors: list[KnowledgeError] = []
    folder = root / POLICIES_DIR
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        try:
            document = read_yaml(path)
        except KnowledgeError as error:
            errors.append(error)
            continue
        if not isinstance(document.data, dict):
            continue
        for key, value in document.data.items():
            if not (isinstance(value, dict) and "statement" in value):
                continue
            try:
                rules[f"{path.stem}.{key}"] = PolicyRule.model_validate(value)
            except ValidationError as error:
                errors += _problems(document, str(key), error)
    return MappingProxyType(rules), errors


def _problems(document: YamlDocument, key: str, error: ValidationError) -> list[KnowledgeError]:
    problems = []
    for detail in error.errors():
        location = (key, *detail["loc"])
        problems.append(
            KnowledgeError(
                document.path,
                detail["msg"],
                line=document.line_of(location),
                field=".".join(str(part) for part in location),
            )
        )
    return problems


def render_answer(answer: str, rule: PolicyRule) -> str:
    """The answer with the rule's statement in place of ``{rule}``."""
    return answer.replace(RULE_PLACEHOLDER, rule.statement.strip())
