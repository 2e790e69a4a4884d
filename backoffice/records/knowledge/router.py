"""HTTP routes of the knowledge base: feedback, unanswered questions, search preview, reload.

The action server's routes need the service token; the editors' routes (preview page, search,
reload, reports) an editor login or the editor token (editor_auth.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backoffice.audit import audit
from backoffice.db import DbSession
from backoffice.login_throttle import get_login_throttle, login_keys
from backoffice.records.knowledge import service
from backoffice.records.knowledge.editor_auth import (
    editor_text,
    is_editor,
    log_in_editor,
    require_editor,
    token_is_right,
)
from backoffice.records.knowledge.mapping import feedback_out, recorded_out, unanswered_out
from backoffice.records.knowledge.schemas import (
    ArticleFeedbackOut,
    FeedbackIn,
    RecordedOut,
    UnansweredIn,
    UnansweredOut,
)
from backoffice.service_auth import ServiceOnly
from knowledge.search_results import SearchResult
from knowledge.store import ReloadStatus, get_store

PREVIEW_PAGE = Path(__file__).with_name("preview.html")
LOGIN_PAGE = Path(__file__).with_name("login.html")
LOGIN_PATH = "/knowledge/login"

router = APIRouter(tags=["knowledge"])
editor_only = Depends(require_editor)


@router.post(
    "/api/knowledge/feedback",
    response_model=RecordedOut,
    status_code=201,
    dependencies=[ServiceOnly],
)
def post_feedback(body: FeedbackIn, session: DbSession) -> RecordedOut:
    """Record 有帮助 / 没帮助 (called by the action server)."""
    service.record_feedback(session=session, feedback=body)
    return recorded_out()


@router.post(
    "/api/knowledge/unanswered",
    response_model=RecordedOut,
    status_code=201,
    dependencies=[ServiceOnly],
)
def post_unanswered(body: UnansweredIn, session: DbSession) -> RecordedOut:
    """Record a question without a confident answer (called by the action server).

    Noise (a run of one character, markup, SQL, a button payload) is answered `ignored` and not
    stored: the editors' list holds real questions only (knowledge/question_rule.py).
    """
    stored = service.record_unanswered(session=session, question=body)
    return recorded_out(stored=stored)


@router.get(
    "/api/knowledge/unanswered", response_model=list[UnansweredOut], dependencies=[editor_only]
)
def get_unanswered(
    session: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[UnansweredOut]:
    """The latest unanswered questions, for editors."""
    rows = service.latest_unanswered(session=session, limit=limit)
    return [unanswered_out(row) for row in rows]


@router.get(
    "/api/knowledge/feedback",
    response_model=list[ArticleFeedbackOut],
    dependencies=[editor_only],
)
def get_feedback(session: DbSession) -> list[ArticleFeedbackOut]:
    """Helpful / not helpful counts per article, for editors."""
    return [feedback_out(counts) for counts in service.feedback_summary(session=session)]


@router.get("/api/knowledge/search", response_model=SearchResult, dependencies=[editor_only])
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
def preview_page(request: Request) -> Response:
    """The editors' preview page: type a question, see the ranked articles (login first)."""
    if not is_editor(request):
        return RedirectResponse(LOGIN_PATH, status_code=303)
    return HTMLResponse(PREVIEW_PAGE.read_text(encoding="utf-8"))


def _login_page(error: str = "", status_code: int = 200) -> HTMLResponse:
    alert = f'<p class="error" role="alert">{error}</p>' if error else ""
    html = LOGIN_PAGE.read_text(encoding="utf-8").replace("<!--error-->", alert)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


@router.get(LOGIN_PATH, response_class=HTMLResponse, include_in_schema=False)
def get_login() -> HTMLResponse:
    """The editors' login form (the editor token)."""
    return _login_page()


@router.post(LOGIN_PATH, response_class=HTMLResponse, include_in_schema=False)
def post_login(request: Request, token: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Check the editor token (throttled per IP); on success go to the preview page."""
    ip = request.client.host if request.client else "unknown"
    user_key, ip_key = login_keys("editor", "editor", ip)
    throttle = get_login_throttle()
    wait = throttle.retry_after(user_key, ip_key)
    if wait:
        audit("login_throttled", realm="editor", ip=ip, wait=wait)
        page = _login_page(editor_text("editor_login_throttled").format(seconds=wait), 429)
        page.headers["Retry-After"] = str(wait)
        return page
    if not token_is_right(token):
        throttle.failed(user_key, ip_key)
        audit("login_failed", realm="editor", ip=ip)
        return _login_page(editor_text("editor_login_failed"), status_code=401)
    throttle.succeeded(user_key)
    audit("login_ok", realm="editor", ip=ip)
    log_in_editor(request)
    return RedirectResponse("/knowledge/preview", status_code=303)
