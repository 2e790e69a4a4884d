"""Does a message carry evidence for the service its predicted intent would start?

The classifier is trained on the team's own sentences; real citizens write differently, and a
confident wrong guess opens a form. So a service intent stands only with evidence in the text:
a phrase that names the service and the action (``预约结婚``), an object and an action word
together (``结婚`` + ``下周``), a reference number, or a classifier that is sure by a clear margin
and sees no question or off-topic marker. Otherwise the message is read as a question (answered
from the knowledge base), as off-topic, or as a guess to confirm with one question.

Standard library only: this module is loaded by Rasa (``.venv-rasa``) and tested from the app.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

LOOKUP_PREFIX = "gate_"
QUESTION = "question"
INFO_QUESTION = "info_question"
OFF_TOPIC = "off_topic"
CIVIL_TOPIC = "civil_topic"
STRONG = "strong"
OBJECT = "object"
ACTION = "action"

Outcome = Literal["keep", "question", "off_topic", "confirm", "unclear", "rescue", "context"]


@dataclass(frozen=True)
class Family:
    """The words that show a wish for one service (e.g. booking a marriage registration)."""

    strong: frozenset[str] = frozenset()
    objects: frozenset[str] = frozenset()
    actions: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()

    def strong_evidence(self, text: str) -> bool:
        """A service phrase, an object with an action word, or a reference number."""
        if _contains_any(text, self.strong) or any(p.search(text) for p in self.patterns):
            return True
        return _contains_any(text, self.objects) and _contains_any(text, self.actions)

    def names_object(self, text: str) -> bool:
        """The message names what the service is about (结婚, 低保, 养老院, 捐……)."""
        return _contains_any(text, self.objects) or _contains_any(text, self.strong)


@dataclass(frozen=True)
class Lexicon:
    """Service families by name, the intents each covers, and the shared markers."""

    families: Mapping[str, Family]
    intent_family: Mapping[str, str]
    answer_intents: frozenset[str] = frozenset()
    question_intents: frozenset[str] = frozenset({"ask_policy_question"})
    context_answers: Mapping[str, str] = field(default_factory=dict)
    question: frozenset[str] = frozenset()
    info_question: frozenset[str] = frozenset()
    off_topic: frozenset[str] = frozenset()
    civil_topic: frozenset[str] = frozenset()

    def family_of(self, intent: str) -> Family | None:
        """The service family an intent starts, if it starts one."""
        name = self.intent_family.get(intent)
        return self.families.get(name) if name else None


@dataclass(frozen=True)
class Verdict:
    """What to do with a service intent: keep it, or read the message another way."""

    outcome: Outcome
    reason: str = ""
    details: dict[str, bool] = field(default_factory=dict)
    intent: str = ""


def _contains_any(text: str, words: Iterable[str]) -> bool:
    return any(word in text for word in words)


def normalise(text: str) -> str:
    """Lower-case, no spaces, full-width question mark kept (it is a marker)."""
    return re.sub(r"\s+", "", text).lower()


def build_lexicon(
    lookups: Mapping[str, Iterable[str]],
    intent_family: Mapping[str, str],
    family_patterns: Mapping[str, Iterable[str]] | None = None,
    answer_intents: Iterable[str] = (),
    context_answers: Mapping[str, str] | None = None,
) -> Lexicon:
    """Assemble the lexicon from ``gate_*`` lookup tables and the configured families.

    Args:
        lookups: Lookup table name → entries (names without the prefix are ignored).
        intent_family: Intent → family name, from the component configuration.
        family_patterns: Family name → regular expressions that count as strong evidence.
        answer_intents: Intents that answer a form's question (a plain question among them is
            read as a question).
        context_answers: Answer intent → the service intent it would start outside a form;
            without that service's evidence the answer is marked as needing context.
    """
    tables = {
        name[len(LOOKUP_PREFIX) :]: frozenset(normalise(e) for e in entries if e.strip())
        for name, entries in lookups.items()
        if name.startswith(LOOKUP_PREFIX)
    }
    patterns = family_patterns or {}
    families = {
        family: Family(
            strong=tables.get(f"{family}_{STRONG}", frozenset()),
            objects=tables.get(f"{family}_{OBJECT}", frozenset()),
            actions=tables.get(f"{family}_{ACTION}", frozenset()),
            patterns=tuple(re.compile(p, re.IGNORECASE) for p in patterns.get(family, ())),
        )
        for family in set(intent_family.values())
    }
    return Lexicon(
        families=families,
        intent_family=dict(intent_family),
        answer_intents=frozenset(answer_intents),
        context_answers=dict(context_answers or {}),
        question=tables.get(QUESTION, frozenset()),
        info_question=tables.get(INFO_QUESTION, frozenset()),
        off_topic=tables.get(OFF_TOPIC, frozenset()),
        civil_topic=tables.get(CIVIL_TOPIC, frozenset()),
    )


def judge(
    lexicon: Lexicon,
    text: str,
    intent: str,
    confidence: float,
    runner_up: float,
    *,
    confident: float,
    margin: float,
) -> Verdict:
    """Decide whether the predicted service intent stands.

    Args:
        lexicon: The evidence words.
        text: The citizen's message.
        intent: The predicted intent.
        confidence: Its confidence.
        runner_up: The confidence of the second intent.
        confident: Confidence from which the classifier alone may start a service.
        margin: The lead over the second intent that must come with it.
    """
    plain = normalise(text)
    family = lexicon.family_of(intent)
    if intent in lexicon.question_intents and chit_chat(lexicon, plain):
        return Verdict("off_topic", "off-topic words and no civil-affairs subject")
    if family is None:
        asks = _contains_any(plain, lexicon.question)
        if (
            intent in lexicon.answer_intents
            and asks
            and _contains_any(plain, lexicon.info_question)
        ):
            return Verdict("question", "a question, not an answer to a form")
        off_topic = intent in lexicon.answer_intents and _contains_any(plain, lexicon.off_topic)
        if off_topic and not any(f.strong_evidence(plain) for f in lexicon.families.values()):
            return Verdict("off_topic", "off-topic words, no service evidence")
        service = lexicon.context_answers.get(intent)
        service_family = lexicon.family_of(service) if service else None
        if service and service_family and not service_family.strong_evidence(plain):
            return Verdict("context", "means something only inside a form", intent=service)
        return Verdict("keep", "not a service intent")
    strong = family.strong_evidence(plain)
    asks = _contains_any(plain, lexicon.question)
    info = _contains_any(plain, lexicon.info_question)
    off_topic = _contains_any(plain, lexicon.off_topic)
    details = {"strong": strong, "question": asks, "info": info, "off_topic": off_topic}
    if strong:
        if info and asks:
            return Verdict("question", "asks about the service rather than for it", details)
        return Verdict("keep", "service evidence", details)
    if off_topic:
        return Verdict("off_topic", "off-topic marker without service evidence", details)
    if asks or info:
        return Verdict("question", "a question without service evidence", details)
    sure = confidence >= confident and confidence - runner_up >= margin
    if sure and family.names_object(plain):
        return Verdict("keep", "confident classifier and the service named", details)
    if family.names_object(plain) or sure:
        return Verdict("confirm", "the service is named but not asked for", details)
    return Verdict("unclear", "no evidence for the service", details)


def rescue(lexicon: Lexicon, text: str, ranking: Iterable[str]) -> Verdict | None:
    """A message turned away (off-topic or unsure) that plainly asks for a ranked service.

    The classifier learns off-topic examples full of 预约 / 查询 / 捐; a message with a service
    phrase for one of the ranked intents, and no question or off-topic marker, gets that intent.

    Args:
        lexicon: The evidence words.
        text: The citizen's message.
        ranking: The ranked intent names, best first.
    """
    plain = normalise(text)
    if _contains_any(plain, lexicon.off_topic):
        return None
    if _contains_any(plain, lexicon.info_question) and _contains_any(plain, lexicon.question):
        return None
    for intent in ranking:
        family = lexicon.family_of(intent)
        if family is not None and family.strong_evidence(plain):
            return Verdict("rescue", "service evidence for a ranked intent", intent=intent)
    return None


def civil_question(lexicon: Lexicon, text: str) -> bool:
    """A question about a civil-affairs subject (低保, 丧葬费, 高龄津贴…), without off-topic words.

    The classifier sometimes turns such a question away as off-topic; it belongs to the
    knowledge base, which answers it or says who can.
    """
    plain = normalise(text)
    return (
        _contains_any(plain, lexicon.question)
        and _contains_any(plain, lexicon.civil_topic)
        and not _contains_any(plain, lexicon.off_topic)
    )


def chit_chat(lexicon: Lexicon, text: str) -> bool:
    """Off-topic words and no civil-affairs subject ("结婚了吗", "提醒我明天开会")."""
    plain = normalise(text)
    return _contains_any(plain, lexicon.off_topic) and not _contains_any(plain, lexicon.civil_topic)
