"""What a citizen reads for a question: the answered article with its source, or nothing.

The action server (``actions/knowledge.py``) and the official-facts suite (``knowledge/facts.py``)
both decide and render through these functions, so the suite measures what citizens see.
"""

from __future__ import annotations

from knowledge.schema import Article
from knowledge.search_results import SearchResult


def source_line(article: Article) -> str:
    """The source as shown to citizens: title, clause and address."""
    source = article.source
    return " ".join(part for part in (source.title, source.clause, source.url) if part)


def answered_article(result: SearchResult) -> Article | None:
    """The article given as the answer, or ``None`` when the search only suggests or fails."""
    if result.decision == "answer" and result.answer is not None:
        return result.answer.article
    return None


def shown_text(article: Article) -> str:
    """The answer and its source line, as the answer message shows them."""
    return f"{article.answer.strip()}\n{source_line(article)}"
