"""Data for the editors' preview page: ranked articles with scores and the decision.

The page itself is served by the back office; it calls :func:`preview` and renders the model (or
returns it as JSON).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from knowledge.search_results import Decision, Match
from knowledge.search_settings import Thresholds
from knowledge.store import KnowledgeStore


class PreviewMatch(BaseModel):
    """One ranked article as the preview page shows it.

    Attributes:
        rank: 1 for the best article.
        article_id: The article id.
        title: The article title.
        topic_name: Topic in Chinese.
        path: File of the article, relative to the knowledge folder.
        score: Weighted BM25 total.
        confidence: Score relative to a perfect match, 0–1.
        signal_scores: Unweighted score per signal.
        outcome: ``answer`` (would be answered), ``suggest`` (would be offered as a button) or
            ``none`` (only listed here).
        sample: The article is unverified sample content.
        source_title: Where the answer comes from.
        effective_from: Date from which the answer is valid.
        review_by: Date by which an editor must check it again.
        answer: The answer text.
    """

    model_config = ConfigDict(frozen=True)

    rank: int
    article_id: str
    title: str
    topic_name: str
    path: str
    score: float
    confidence: float
    signal_scores: dict[str, float]
    outcome: Decision
    sample: bool
    source_title: str
    effective_from: date
    review_by: date
    answer: str


class PreviewResponse(BaseModel):
    """Everything the preview page shows for one question.

    Attributes:
        question: The question typed.
        decision: What the assistant would do.
        margin: Lead of the best article over the second.
        terms: Search terms the question was turned into.
        matches: Ranked articles.
        thresholds: Thresholds in force.
        knowledge_version: Version serving.
        article_count: Articles in that version.
        last_error: Problem of the last refused change, if any (the previous version serves).
    """

    model_config = ConfigDict(frozen=True)

    question: str
    decision: Decision
    margin: float
    terms: list[str]
    matches: list[PreviewMatch]
    thresholds: Thresholds
    knowledge_version: str
    article_count: int
    last_error: str | None


def preview(store: KnowledgeStore, question: str, *, limit: int = 10) -> PreviewResponse:
    """Search like the assistant does and explain the outcome for editors.

    Args:
        store: The knowledge store.
        question: The question to try.
        limit: How many ranked articles to list.

    Returns:
        The preview data (JSON-serialisable with ``model_dump_json``).
    """
    result = store.search(question, limit=limit)
    status = store.status()
    knowledge_base = store.knowledge_base
    thresholds = store.settings.thresholds if store.settings is not None else Thresholds()
    suggested = {match.article_id for match in result.suggestions}
    answered = result.answer.article_id if result.answer else None

    def outcome(match: Match) -> Decision:
        if match.article_id == answered:
            return "answer"
        return "suggest" if match.article_id in suggested else "none"

    def path_of(match: Match) -> str:
        if knowledge_base is None or match.article_id not in knowledge_base.locations:
            return ""
        location = knowledge_base.locations[match.article_id].path
        return str(location.relative_to(knowledge_base.root))

    return PreviewResponse(
        question=question,
        decision=result.decision,
        margin=result.margin,
        terms=result.terms,
        matches=[
            PreviewMatch(
                rank=rank,
                article_id=match.article_id,
                title=match.title,
                topic_name=match.topic_name,
                path=path_of(match),
                score=match.score,
                confidence=match.confidence,
                signal_scores=match.signal_scores,
                outcome=outcome(match),
                sample=match.article.sample,
                source_title=match.article.source.title,
                effective_from=match.article.effective_from,
                review_by=match.article.review_by,
                answer=match.article.answer,
            )
            for rank, match in enumerate(result.matches, start=1)
        ],
        thresholds=thresholds,
        knowledge_version=status.version,
        article_count=status.article_count,
        last_error=status.error,
    )
