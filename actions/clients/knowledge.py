"""Typed back-office API: knowledge feedback and unanswered questions."""

from __future__ import annotations

from functools import lru_cache

from actions.clients.backoffice import BackofficeTransport, get_transport


class KnowledgeApi:
    """Records what citizens thought of answers, and what found no answer."""

    def __init__(self, transport: BackofficeTransport) -> None:
        self._transport = transport

    async def record_feedback(
        self, *, conversation_id: str, article_id: str, helpful: bool
    ) -> None:
        """Store 有帮助 / 没帮助 for an article."""
        await self._transport.request(
            "POST",
            "/api/knowledge/feedback",
            json={"conversation_id": conversation_id, "article_id": article_id, "helpful": helpful},
        )

    async def record_unanswered(
        self,
        *,
        conversation_id: str,
        question: str,
        best_article: str | None,
        best_confidence: float | None,
    ) -> None:
        """Store a question the knowledge base could not answer."""
        await self._transport.request(
            "POST",
            "/api/knowledge/unanswered",
            json={
                "conversation_id": conversation_id,
                "question": question,
                "best_article": best_article,
                "best_confidence": best_confidence,
            },
        )


@lru_cache(maxsize=1)
def get_knowledge_api() -> KnowledgeApi:
    """The shared knowledge API of this process."""
    return KnowledgeApi(get_transport())
