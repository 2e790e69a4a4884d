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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

LOOKUP_PREFIX = "gate_"
QUESTION = "question"
INFO_QUESTION = "info_question"
OFF_TOPIC = "off_topic"
CIVIL_TOPIC = "civil_topic"
GENERIC_ACTION = "generic_action"
STOP_OPENING = "stop_opening"
CHANGE_OF_MIND = "change_of_mind"
STOP_INTENT = "stop"
STRONG = "strong"
OBJECT = "object"
ACTION = "action"
OUT_OF_SCOPE_INTENT = "out_of_scope"
FALLBACK_INTENT = "nlu_fallback"
TURNED_AWAY = frozenset({OUT_OF_SCOPE_INTENT, FALLBACK_INTENT})

Outcome = Literal[
    "keep", "question", "off_topic", "confirm", "unclear", "rescue", "context", "stop"
]


@dataclass(frozen=True)
class Family:
    """The words that show a wish for one service (e.g. booking a marriage registration)."""

    strong: frozenset[str] = frozenset()
    objects: frozenset[str] = frozenset()
    actions: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()
    # What the service does not take, though the words are the same ("我想捐骨髓" is no gift of
    # money or goods): such a message is a question, whatever else it says.
    not_ours: tuple[re.Pattern[str], ...] = ()

    def strong_evidence(self, text: str) -> bool:
        """A service phrase, an object with an action word, or a reference number."""
        if self.phrase_evidence(text):
            return True
        return _contains_any(text, self.objects) and _contains_any(text, self.actions)

    def phrase_evidence(self, text: str) -> bool:
        """A service phrase ("预约结婚登记") or a reference number, not an object and a verb."""
        return _contains_any(text, self.strong) or any(p.search(text) for p in self.patterns)

    def names_what_is_not_ours(self, text: str) -> bool:
        """Whether the message asks for something else the service's words also fit."""
        return any(p.search(text) for p in self.not_ours)

    def foreign_subjects(self, subjects: Iterable[str]) -> list[str]:
        """The civil-affairs subjects that are not this service's own (收养 for a marriage)."""
        return [s for s in subjects if not self.names_object(s)]

    def own_action(self, text: str, generic: frozenset[str]) -> bool:
        """An action word of this service that is not a verb any service uses (办理, 要去)."""
        return any(action in text for action in self.actions - generic)

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
    generic_actions: frozenset[str] = frozenset()
    stop_openings: frozenset[str] = frozenset()
    change_of_mind: frozenset[str] = frozenset()
    # Service intents a turned-away message is never re-read as (10086 的人工服务 is not ours).
    never_rescued: frozenset[str] = frozenset()
    # Small talk about the assistant ("你是干嘛的"); words that show a message speaks to it.
    small_talk_intents: frozenset[str] = frozenset()
    bot_address: frozenset[str] = frozenset()

    def opens_with_stop(self, text: str) -> bool:
        """Whether the first clause is a stop phrase nothing takes back ("算了，我先问问家里人").

        "算了，还是改到下周五吧" changes an answer instead, and "算了，不要票据了" answers one.
        """
        first, _, rest = _CLAUSE_END.sub("，", text.strip(), count=1).partition("，")
        opening = normalise(first).rstrip(_PARTICLES)
        if opening not in self.stop_openings:
            return False
        return not _contains_any(normalise(rest), self.change_of_mind)

    def family_of(self, intent: str) -> Family | None:
        """The service family an intent starts, if it starts one."""
        name = self.intent_family.get(intent)
        return self.families.get(name) if name else None


@dataclass(frozen=True)
class Verdict:
    """What to do with a message's intent: keep it, or read the message another way.

    ``intent`` names the ranked intent a rescue restores, or the service an answer would start
    outside a form (``context``).
    """

    outcome: Outcome
    reason: str = ""
    intent: str = ""


_CLAUSE_END = re.compile(r"[，,。.！!；;…～~\s]+")
_PARTICLES = "吧啊呀啦哈嘛"


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
    family_words: Mapping[str, Iterable[str]] | None = None,
    never_rescued: Iterable[str] = (),
    small_talk_intents: Iterable[str] = (),
    bot_address: Iterable[str] = (),
    not_ours: Mapping[str, Iterable[str]] | None = None,
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
        family_words: Family name → more strong evidence from the component configuration:
            words that must not become classifier features, as every lookup table does;
            ``off_topic`` → more off-topic words, for the same reason.
        never_rescued: Service intents a message the classifier turned away never becomes.
        small_talk_intents: Intents of small talk about the assistant ("你是干嘛的"): one that
            names a civil-affairs subject and does not speak to the assistant is a question.
        bot_address: Words that show a message speaks to the assistant (你, 机器人 …).
        not_ours: Family name → regular expressions for what the service does not take
            ("捐骨髓" for donations): such a message is read as a question.
    """
    tables = {
        name[len(LOOKUP_PREFIX) :]: frozenset(normalise(e) for e in entries if e.strip())
        for name, entries in lookups.items()
        if name.startswith(LOOKUP_PREFIX)
    }
    patterns = family_patterns or {}
    words = family_words or {}
    others = not_ours or {}
    families = {
        family: Family(
            strong=tables.get(f"{family}_{STRONG}", frozenset())
            | frozenset(normalise(w) for w in words.get(family, ())),
            objects=tables.get(f"{family}_{OBJECT}", frozenset()),
            actions=tables.get(f"{family}_{ACTION}", frozenset()),
            patterns=tuple(re.compile(p, re.IGNORECASE) for p in patterns.get(family, ())),
            not_ours=tuple(re.compile(p) for p in others.get(family, ())),
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
        off_topic=tables.get(OFF_TOPIC, frozenset())
        | frozenset(normalise(w) for w in words.get(OFF_TOPIC, ())),
        civil_topic=tables.get(CIVIL_TOPIC, frozenset()),
        generic_actions=tables.get(GENERIC_ACTION, frozenset()),
        stop_openings=tables.get(STOP_OPENING, frozenset()),
        change_of_mind=tables.get(CHANGE_OF_MIND, frozenset()),
        never_rescued=frozenset(never_rescued),
        small_talk_intents=frozenset(small_talk_intents),
        bot_address=frozenset(normalise(w) for w in bot_address),
    )


@dataclass(frozen=True)
class Markers:
    """The lexicon's markers found in one message (normalised once)."""

    asks: bool
    info: bool
    off_topic: bool
    subjects: tuple[str, ...]

    @classmethod
    def of(cls, lexicon: Lexicon, plain: str) -> Markers:
        """Look for every marker in ``plain`` (already normalised)."""
        return cls(
            asks=_contains_any(plain, lexicon.question),
            info=_contains_any(plain, lexicon.info_question),
            off_topic=_contains_any(plain, lexicon.off_topic),
            subjects=tuple(sorted(w for w in lexicon.civil_topic if w in plain)),
        )

    @property
    def civil(self) -> bool:
        """The message names a civil-affairs subject (低保, 殡葬, 收养 …)."""
        return bool(self.subjects)

    @property
    def info_question(self) -> bool:
        """Asks about something (材料, 标准, 几号发…) rather than for it."""
        return self.asks and self.info

    @property
    def chit_chat(self) -> bool:
        """Off-topic words and no civil-affairs subject ("结婚了吗", "提醒我明天开会")."""
        return self.off_topic and not self.civil


def decide(
    lexicon: Lexicon,
    text: str,
    intent: str,
    confidence: float,
    ranking: Sequence[tuple[str, float]],
    *,
    confident: float,
    margin: float,
) -> Verdict:
    """What the message's predicted intent becomes.

    Args:
        lexicon: The evidence words.
        text: The citizen's message.
        intent: The predicted intent.
        confidence: Its confidence.
        ranking: Every ranked (intent, confidence), best first.
        confident: Confidence from which the classifier alone may start a service.
        margin: The lead over the second intent that must come with it.
    """
    # "算了，给我讲个笑话" goes on to something else: the classifier's off-topic reading stands.
    if intent != OUT_OF_SCOPE_INTENT and lexicon.opens_with_stop(text):
        return Verdict("stop", "the message opens with a stop phrase")
    plain = normalise(text)
    markers = Markers.of(lexicon, plain)
    if intent in TURNED_AWAY:
        return _turned_away(lexicon, plain, markers, intent, [name for name, _ in ranking])
    runner_up = max((c for name, c in ranking if name != intent), default=0.0)
    sure = confidence >= confident and confidence - runner_up >= margin
    return _judge(lexicon, plain, markers, intent, sure=sure)


def _judge(lexicon: Lexicon, plain: str, markers: Markers, intent: str, *, sure: bool) -> Verdict:
    family = lexicon.family_of(intent)
    if intent in lexicon.question_intents and markers.chit_chat:
        return Verdict("off_topic", "off-topic words and no civil-affairs subject")
    if (
        intent in lexicon.small_talk_intents
        and markers.civil
        and not _contains_any(plain, lexicon.bot_address)
    ):
        # "基金会是干嘛的" asks about 基金会, not about the assistant.
        return Verdict("question", "small talk about a civil-affairs subject, not the assistant")
    if family is None:
        return _judge_answer(lexicon, plain, markers, intent)
    if family.names_what_is_not_ours(plain):
        return Verdict("question", "asks for something the service does not take")
    if family.strong_evidence(plain):
        if markers.info_question:
            return Verdict("question", "asks about the service rather than for it")
        if _about_another_subject(lexicon, family, plain, markers):
            return Verdict("question", "a question about another civil-affairs subject")
        return Verdict("keep", "service evidence")
    if markers.off_topic:
        return Verdict("off_topic", "off-topic marker without service evidence")
    if markers.asks or markers.info:
        return Verdict("question", "a question without service evidence")
    named = family.names_object(plain)
    if sure and named:
        return Verdict("keep", "confident classifier and the service named")
    if named or sure:
        return Verdict("confirm", "the service is named but not asked for")
    return Verdict("unclear", "no evidence for the service")


def _about_another_subject(lexicon: Lexicon, family: Family, plain: str, markers: Markers) -> bool:
    """Whether a question's only evidence is an object and a common verb, for another subject.

    "结婚多年没孩子，想收养一个，该如何办理？" names 结婚 and 办理, but asks about 收养.
    """
    return (
        markers.asks
        and not family.phrase_evidence(plain)
        and not family.own_action(plain, lexicon.generic_actions)
        and bool(family.foreign_subjects(markers.subjects))
    )


def _judge_answer(lexicon: Lexicon, plain: str, markers: Markers, intent: str) -> Verdict:
    """An intent that starts no service: only answers to a form's question are looked at."""
    if intent not in lexicon.answer_intents:
        return Verdict("keep", "not a service intent")
    if markers.info_question:
        return Verdict("question", "a question, not an answer to a form")
    if markers.off_topic and not any(f.strong_evidence(plain) for f in lexicon.families.values()):
        return Verdict("off_topic", "off-topic words, no service evidence")
    service = lexicon.context_answers.get(intent)
    service_family = lexicon.family_of(service) if service else None
    if service and service_family and not service_family.strong_evidence(plain):
        return Verdict("context", "means something only inside a form", intent=service)
    return Verdict("keep", "an answer to a form")


def _turned_away(
    lexicon: Lexicon, plain: str, markers: Markers, intent: str, ranked: Sequence[str]
) -> Verdict:
    """Off-topic or unsure: a ranked service asked for, a civil-affairs question, or chit-chat.

    The classifier learns off-topic examples full of 预约 / 查询 / 捐, and sometimes turns a
    question about 低保 or 丧葬费 away as off-topic.
    """
    if not markers.off_topic and not markers.info_question:
        for name in ranked:
            family = lexicon.family_of(name)
            if (
                family is not None
                and name not in lexicon.never_rescued
                and family.strong_evidence(plain)
                and not _about_another_subject(lexicon, family, plain, markers)
            ):
                return Verdict("rescue", "service evidence for a ranked intent", intent=name)
    # A question that names a civil-affairs subject is one, even with a travel or media word in
    # it ("残疾人坐公交免费吗"): of 453 real off-topic queries the classifier turned away (real
    # and sealed sets, 2026-12-07), none named a civil-affairs subject; the subjects are specific
    # words (低保, 骨灰, 残疾人 …).
    if intent == OUT_OF_SCOPE_INTENT and markers.asks and markers.civil:
        return Verdict("question", "a civil-affairs question turned away")
    # Typed like a search box, without a question word ("2021福利彩票双色球规则"): a specific
    # civil-affairs subject with what is asked about it (规则, 标准, 流程 …) and no off-topic
    # word is a question too; "我要买福彩" names no such thing and stays turned away.
    if intent == OUT_OF_SCOPE_INTENT and markers.civil and markers.info and not markers.off_topic:
        return Verdict("question", "a civil-affairs subject turned away")
    if intent == FALLBACK_INTENT and markers.chit_chat:
        return Verdict("off_topic", "unsure, with off-topic words and no civil-affairs subject")
    return Verdict("keep", "turned away")
