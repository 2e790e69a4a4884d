"""The scores of `make eval-nlu`: what a prediction is, what counts as turned away, the summary.

`testkit.nlu_eval` computes them and `testkit.nlu_report` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
REJECTED_STRICT = frozenset({OUT_OF_SCOPE, FALLBACK})
# Intents whose rules run the fallback's own path (knowledge base if confident, else rephrase):
# bot/data/rules/base.yml (nonsense) and bot/data/rules/knowledge.yml (ask_policy_question).
FALLBACK_PATH = frozenset({"nonsense", "ask_policy_question"})
REJECTED = REJECTED_STRICT | FALLBACK_PATH
TARGET_ACCURACY = 0.95
TARGET_OOS_REJECTION = 0.90

# Where a Taipei FAQ question may acceptably land, by its service area.
ROUTING_OK: dict[str, frozenset[str]] = {
    "assistance": frozenset({"prescreen", "knowledge", OUT_OF_SCOPE, FALLBACK}),
    "eldercare": frozenset({"eldercare", "knowledge", OUT_OF_SCOPE, FALLBACK}),
    "donation": frozenset({"donation", "knowledge", OUT_OF_SCOPE, FALLBACK}),
    "other_kb": frozenset({"knowledge", OUT_OF_SCOPE, FALLBACK}),
}
SERVICE_STEMS = ("marriage", "prescreen", "eldercare", "donation")


@dataclass(frozen=True)
class Prediction:
    """What the model said about one test text."""

    text: str
    gold: str
    predicted: str
    confidence: float

    @property
    def correct(self) -> bool:
        """True when the predicted intent is the gold one."""
        return self.gold == self.predicted

    @property
    def acceptable(self) -> bool:
        """Correct, or an out-of-scope text turned away (see REJECTED)."""
        return self.correct or (self.gold == OUT_OF_SCOPE and self.predicted in REJECTED)

    def deployed(self, threshold: float) -> Prediction:
        """The prediction after the FallbackClassifier: below `threshold` it is nlu_fallback."""
        if self.confidence >= threshold or self.predicted == FALLBACK:
            return self
        return Prediction(self.text, self.gold, FALLBACK, self.confidence)


@dataclass(frozen=True)
class IntentScore:
    """Rasa's per-intent scores."""

    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Summary:
    """The numbers `make eval-nlu` prints and writes to summary.json."""

    examples: int
    sources: dict[str, int]
    accuracy: float
    classifier_accuracy: float
    fallback_threshold: float
    macro_f1: float
    oos_total: int
    oos_rejected: int
    oos_rejected_strict: int
    intents: list[IntentScore]
    confusions: list[tuple[str, str, int]]
    entities: list[IntentScore]
    per_source_accuracy: dict[str, float]
    errors: list[Prediction]
    routing: dict[str, dict[str, int]] = field(default_factory=dict)
    routing_wrong: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    normalised: bool = True
    copied: list[tuple[str, str]] = field(default_factory=list)

    @property
    def oos_rejection(self) -> float:
        """Share of out-of-scope examples turned away (see REJECTED)."""
        return self.oos_rejected / self.oos_total if self.oos_total else 0.0

    @property
    def oos_rejection_strict(self) -> float:
        """Share of out-of-scope examples predicted as out_of_scope or nlu_fallback."""
        return self.oos_rejected_strict / self.oos_total if self.oos_total else 0.0

    def worst_intents(self, count: int = 5) -> list[IntentScore]:
        """The intents with the lowest F1 (ties: more support first)."""
        return sorted(self.intents, key=lambda s: (s.f1, -s.support))[:count]
