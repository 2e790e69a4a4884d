"""What a knowledge search returns: the ranked articles and the answer / suggest / none decision."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledge.schema import Article

Decision = Literal["answer", "suggest", "none"]


class Match(BaseModel):
    """One ranked article.

    Attributes:
        article_id: The article id.
        title: The article title (for a suggestion button).
        topic: Topic code.
        topic_name: Topic name in Chinese.
        score: Weighted BM25 total (only comparable within one search).
        confidence: Total relative to a perfect match for this question, 0–1.
        signal_scores: Unweighted score per signal, for the preview page.
        article: The full article (answer, source, dates).
    """

    model_config = ConfigDict(frozen=True)

    article_id: str
    title: str
    topic: str
    topic_name: str
    score: float
    confidence: float
    signal_scores: dict[str, float]
    article: Article


class SearchResult(BaseModel):
    """What the knowledge base says about one question.

    Attributes:
        query: The question as asked.
        terms: Search terms after segmentation, stop words, aliases and typo repair.
        decision: ``answer`` (give ``answer``), ``suggest`` (offer ``suggestions`` as buttons) or
            ``none`` (nothing good enough: fallback path).
        answer: The article to answer with, when the decision is ``answer``.
        suggestions: Two or three close articles, when the decision is ``suggest``.
        matches: The top-ranked articles whatever the decision (for the preview page).
        margin: Lead of the best article over the best one not linked to it by ``related``, as a
            share of the best confidence.
        places: Place names mentioned in the question (standard names).
        services: Service names mentioned in the question (standard names).
        exact_question: The question is one of an article's example questions (punctuation
            and case aside); that article is answered whatever the scores.
        knowledge_version: Version of the knowledge base that answered.
    """

    model_config = ConfigDict(frozen=True)

    query: str
    terms: list[str]
    decision: Decision
    answer: Match | None = None
    suggestions: list[Match] = Field(default_factory=list)
    matches: list[Match] = Field(default_factory=list)
    margin: float = 0.0
    places: list[str] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    exact_question: bool = False
    knowledge_version: str = ""

    @property
    def best(self) -> Match | None:
        """The top-ranked article, whatever the decision."""
        return self.matches[0] if self.matches else None

    @property
    def suggests_one_topic(self) -> bool:
        """Whether the suggested articles all belong to one topic (a menu that makes sense)."""
        return len({match.topic for match in self.suggestions}) == 1
