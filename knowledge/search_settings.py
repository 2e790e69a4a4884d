"""Search settings editors may tune (``knowledge/search.yml``): weights and decision thresholds."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge.yamlfile import read_optional_document

SETTINGS_FILE = "search.yml"


class DocumentRepeats(BaseModel):
    """How each article is turned into one BM25 document: each part is repeated this many times.

    Repeating a part makes its words count more (BM25 then saturates the count once per article,
    so a word found in the title and the questions is not counted twice over).

    Attributes:
        title: Repeats of the title.
        questions: Repeats of all example questions.
        answer: Repeats of the answer (0 leaves the answer out).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: int = Field(default=2, ge=0, le=5)
    questions: int = Field(default=1, ge=0, le=5)
    answer: int = Field(default=1, ge=0, le=5)


class SignalWeights(BaseModel):
    """Weights of the three scores added up for each article.

    Attributes:
        article: BM25 of the question's words against the whole article document.
        best_question: BM25 against the single most similar example question.
        characters: BM25 of the question's characters and character pairs against the title and
            example questions; catches words segmented differently (几个区 / 个区).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    article: float = Field(default=1.0, ge=0)
    best_question: float = Field(default=0.0, ge=0)
    characters: float = Field(default=0.5, ge=0)


class Thresholds(BaseModel):
    """When a result is answered, offered as suggestions, or dropped.

    Confidence is the best article's score divided by the score a perfect match for the same
    question would get (0–1). Margin is how far the best article is ahead of the second, as a
    share of the best confidence.

    Attributes:
        answer_min_confidence: Minimum confidence to answer directly.
        answer_min_margin: Minimum lead over the second article to answer directly.
        suggest_min_confidence: Minimum confidence to offer titles as suggestions.
        suggestion_min_ratio: A suggestion must reach this share of the best confidence.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    answer_min_confidence: float = Field(default=0.5, ge=0, le=1)
    answer_min_margin: float = Field(default=0.2, ge=0, le=1)
    suggest_min_confidence: float = Field(default=0.3, ge=0, le=1)
    suggestion_min_ratio: float = Field(default=0.6, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.suggest_min_confidence > self.answer_min_confidence:
            raise ValueError("suggest_min_confidence 不能高于 answer_min_confidence")
        return self


class SearchSettings(BaseModel):
    """All search settings.

    Attributes:
        k1: BM25 term-frequency saturation.
        b: BM25 length normalisation.
        document: How the article document is assembled.
        weights: Weights of the scores.
        thresholds: Decision thresholds.
        max_suggestions: How many titles a close call offers.
        expand_subwords: Also index the dictionary words inside long words (高龄津贴 → 高龄, 津贴).
        repair_typos: Add knowledge-base words that sound like misspelt parts of a question.
        unseen_term_weight: How much a word the knowledge base never uses lowers the confidence,
            as a share of the rarest known word (1.0: as much as the rarest known word).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    k1: float = Field(default=1.2, gt=0)
    b: float = Field(default=0.75, ge=0, le=1)
    document: DocumentRepeats = DocumentRepeats()
    weights: SignalWeights = SignalWeights()
    thresholds: Thresholds = Thresholds()
    max_suggestions: int = Field(default=3, ge=1, le=5)
    expand_subwords: bool = True
    repair_typos: bool = True
    unseen_term_weight: float = Field(default=1.0, ge=0, le=1)


def load_search_settings(root: Path) -> SearchSettings:
    """Read ``search.yml`` from the knowledge folder; defaults apply when it is absent.

    Args:
        root: The knowledge folder.

    Returns:
        The settings.

    Raises:
        KnowledgeError: When the file exists but is invalid.
    """
    found = read_optional_document(root / SETTINGS_FILE, SearchSettings)
    return SearchSettings() if found is None else found


__all__ = [
    "DocumentRepeats",
    "SearchSettings",
    "SignalWeights",
    "Thresholds",
    "load_search_settings",
]
