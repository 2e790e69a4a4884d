"""HTTP routes of the knowledge base: feedback, unanswered questions, search preview, reload."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from backoffice.auth_tokens import require_bearer
from backoffice.db import DbSession
from backoffice.records.knowledge import service
from backoffice.records.knowledge.schemas import (
    ArticleFeedbackOut,
    FeedbackIn,
    UnansweredIn,
    UnansweredOut,
)
from backoffice.service_auth import ServiceOnly
from core.settings import get_settings
from knowledge.search import SearchResult
from knowledge.store import ReloadStatus, get_store

PREVIEW_PAGE = Path(__file__).with_name("preview.html")

router = APIRouter(tags=["knowledge"])
editor_only = Depends(
    require_bearer(lambda: get_settings().editor_token, refusal="需要编辑令牌（EDITOR_TOKEN）。")
)


@router.post("/api/knowledge/feedback", status_code=201, dependencies=[ServiceOnly])
def post_feedback(body: FeedbackIn, session: DbSession) -> dict[str, str]:
    """Record 有帮助 / 没帮助 (called by the action server)."""
    service.record_feedback(session=session, feedback=body)
    return {"status": "recorded"}


@router.post("/api/knowledge/unanswered", status_code=201, dependencies=[ServiceOnly])
def post_unanswered(body: UnansweredIn, session: DbSession) -> dict[str, str]:
    """Record a question without a confident answer (called by the action server)."""
    service.record_unanswered(session=session, question=body)
    return {"status": "recorded"}


@router.get(
    "/api/knowledge/unanswered", response_model=list[UnansweredOut], dependencies=[editor_only]
)
def get_unanswered(
    session: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[UnansweredOut]:
    """The latest unanswered questions, for editors."""
    rows = service.latest_unanswered(session=session, limit=limit)
    return [UnansweredOut.model_validate(row) for row in rows]


@router.get(
    "/api/knowledge/feedback",
    response_model=list[ArticleFeedbackOut],
    dependencies=[editor_only],
)
def get_feedback(session: DbSession) -> list[ArticleFeedbackOut]:
    """Helpful / not helpful counts per article, for editors."""
    return service.feedback_summary(session=session)


@router.get("/api/knowledge/search", response_model=SearchResult)
def search(q: Annotated[str, Query(min_length=1, max_length=500)]) -> SearchResult:
    """Rank the articles for a question, with scores and the decision (preview page)."""
    return get_store().search(q, limit=8)


@router.post("/api/knowledge/reload", response_model=ReloadStatus, dependencies=[editor_only])
def reload() -> ReloadStatus:
    """Reload the knowledge files now; a bad file is reported and the old version keeps serving.

    The action server notices changed files by itself within about 2 seconds.
    """
    return get_store().reload()


@router.get("/knowledge/preview", response_class=HTMLResponse, include_in_schema=False)
def preview_page() -> HTMLResponse:
    """The editors' preview page: type a question, see the ranked articles."""
    return HTMLResponse(PREVIEW_PAGE.read_text(encoding="utf-8"))
