"""Knowledge base: editor-owned answers (``articles/``), their loader, checks and search.

Public API for the action server and the back office::

    from knowledge import get_store

    result = get_store().search("离婚冷静期多少天")   # SearchResult
    if result.decision == "answer":
        article = result.answer.article           # answer, source, effective_from …
    elif result.decision == "suggest":
        titles = [(m.article_id, m.title) for m in result.suggestions]

Importing this package does no work: the folder is read on the first search.
"""

from knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge_base
from knowledge.preview import PreviewResponse, preview
from knowledge.schema import Article, Source
from knowledge.search_results import Decision, Match, SearchResult
from knowledge.store import KnowledgeStore, ReloadStatus, get_store

__all__ = [
    "Article",
    "Decision",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeStore",
    "Match",
    "PreviewResponse",
    "ReloadStatus",
    "SearchResult",
    "Source",
    "get_store",
    "load_knowledge_base",
    "preview",
]
