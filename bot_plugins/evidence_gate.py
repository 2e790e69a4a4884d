"""EvidenceGate: a Rasa NLU component that lets a service intent stand only with evidence.

Runs after DIET and the FallbackClassifier. For an intent that starts a service (``config.yml``
maps intents to service families), the message must carry evidence (``bot_plugins.evidence``);
otherwise the intent becomes:

- ``ask_policy_question`` for a question (answered from the knowledge base, also inside a form);
- ``out_of_scope`` for an off-topic message;
- ``nlu_fallback`` with a ``service_candidate`` entity when the service is named but not asked
  for: the fallback action asks once, with buttons, whether the citizen wants that service;
- ``nlu_fallback`` otherwise (the knowledge base, then the not-understood path).

The other way round, a message classified ``out_of_scope`` or ``nlu_fallback`` that plainly asks
for one of its ranked services (a service phrase, no question or off-topic marker) gets that
service's intent; an ``out_of_scope`` question about a civil-affairs subject
(``gate_civil_topic``) becomes ``ask_policy_question``; and an answer-to-a-form intent
(``answer_intents``) on a plain question becomes ``ask_policy_question`` (inside a form the
question is answered and the form goes on), or ``out_of_scope`` with off-topic words and no
service evidence; a question with off-topic words and no civil-affairs subject ("结婚了吗")
becomes ``out_of_scope``. An answer intent that would start a service outside a form
(``context_answers``: "萧山区的" as ``inform_eldercare``) keeps its intent, so a form reads it,
but without that service's evidence it is marked with ``service_candidate``: outside a form the
assistant asks back.

The words are the ``gate_*`` lookup tables of the training data (``nlu_data/evidence.yml``), so
editing them retrains the model; they are stored with the model. A lookup table is also a feature of
the classifier; the few words that must not be (a family's ``words`` in ``config.yml``: "客服" as a
feature made chit-chat look like 转人工) come from the configuration. Runs in ``.venv-rasa`` only.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot_plugins.evidence import (
    FALLBACK_INTENT,
    LOOKUP_PREFIX,
    OUT_OF_SCOPE_INTENT,
    STOP_INTENT,
    Lexicon,
    decide,
)
from bot_plugins.evidence_config import lexicon_from_config

QUESTION_INTENT = "ask_policy_question"
CANDIDATE_ENTITY = "service_candidate"
LEXICON_FILE = "evidence_lexicon.json"

# The intent each outcome gives the message ("rescue" gives the ranked intent it found).
REWRITES = {
    "question": QUESTION_INTENT,
    "off_topic": OUT_OF_SCOPE_INTENT,
    "confirm": FALLBACK_INTENT,
    "unclear": FALLBACK_INTENT,
}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EvidenceGate(GraphComponent, IntentClassifier):
    """Rewrites a service intent that the message gives no evidence for."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The configuration keys and their defaults.

        families: family → intents; patterns: family → training regex names; words: family →
        strong evidence words kept out of the classifier's features; never_rescued: intents a
        turned-away message never becomes; small_talk_intents and bot_address: small talk about
        the assistant, and the words that show a message speaks to it; not_ours: family →
        regular expressions for what the service does not take.
        """
        return {
            "families": {},
            "patterns": {},
            "words": {},
            "never_rescued": [],
            "small_talk_intents": [],
            "bot_address": [],
            "not_ours": {},
            "answer_intents": [],
            "context_answers": {},
            "confident": 0.9,
            "margin": 0.5,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lookups: dict[str, list[str]] | None = None,
        regexes: dict[str, list[str]] | None = None,
    ) -> None:
        """Keep the configuration and, once trained or loaded, the evidence words."""
        self.config = config
        self.model_storage = model_storage
        self.resource = resource
        self.lookups = lookups or {}
        self.regexes = regexes or {}
        self.lexicon = self._lexicon()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EvidenceGate:
        """A gate not yet trained (no evidence words)."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EvidenceGate:
        """The gate with the words stored at training."""
        try:
            with model_storage.read_from(resource) as directory:
                stored = json.loads((directory / LEXICON_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            stored = {}
        return cls(config, model_storage, resource, stored.get("lookups"), stored.get("regexes"))

    def _lexicon(self) -> Lexicon:
        return lexicon_from_config(self.config, self.lookups, self.regexes)

    def train(self, training_data: TrainingData) -> Resource:
        """Take the ``gate_*`` lookup tables and the named regexes, and store them."""
        self.lookups = {
            table["name"]: [str(e) for e in table["elements"]]
            for table in training_data.lookup_tables
            if str(table["name"]).startswith(LOOKUP_PREFIX)
        }
        wanted = {name for names in self.config["patterns"].values() for name in names}
        self.regexes = {}
        for regex in training_data.regex_features:
            if regex["name"] in wanted:
                self.regexes.setdefault(regex["name"], []).append(regex["pattern"])
        with self.model_storage.write_to(self.resource) as directory:
            (directory / LEXICON_FILE).write_text(
                json.dumps({"lookups": self.lookups, "regexes": self.regexes}, ensure_ascii=False),
                encoding="utf-8",
            )
        self.lexicon = self._lexicon()
        return self.resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Rewrite each message's service intent that lacks evidence."""
        for message in messages:
            self._gate(message)
        return messages

    def _gate(self, message: Message) -> None:
        intent = message.get("intent") or {}
        name = str(intent.get("name") or "")
        text = str(message.get("text") or "")
        if not name or not text:
            return
        confidence = float(intent.get("confidence") or 0.0)
        ranking = [
            (str(r.get("name")), float(r.get("confidence") or 0.0))
            for r in message.get("intent_ranking") or []
        ]
        verdict = decide(
            self.lexicon,
            text,
            name,
            confidence,
            ranking,
            confident=float(self.config["confident"]),
            margin=float(self.config["margin"]),
        )
        if verdict.outcome == "rescue":
            self._set_intent(message, verdict.intent, dict(ranking)[verdict.intent])
        elif verdict.outcome == "stop":  # said in words, not guessed: the forms must let go
            self._set_intent(message, STOP_INTENT, 1.0)
        elif verdict.outcome in REWRITES:
            self._set_intent(message, REWRITES[verdict.outcome], confidence)
        if verdict.outcome == "confirm":
            self._mark_candidate(message, name)
        elif verdict.outcome == "context":
            self._mark_candidate(message, verdict.intent)

    def _set_intent(self, message: Message, name: str, confidence: float) -> None:
        """Give the message intent ``name``, first in the ranking."""
        chosen = {"name": name, "confidence": confidence}
        rest = [r for r in message.get("intent_ranking") or [] if r.get("name") != name]
        message.set("intent", chosen, add_to_output=True)
        message.set("intent_ranking", [chosen, *rest], add_to_output=True)

    def _mark_candidate(self, message: Message, service_intent: str) -> None:
        entities = list(message.get("entities") or [])
        entities.append(
            {
                "entity": CANDIDATE_ENTITY,
                "value": service_intent,
                "start": 0,
                "end": len(str(message.get("text"))),
                "extractor": type(self).__name__,
            }
        )
        message.set("entities", entities, add_to_output=True)
