"""The editors' review inbox page (`/console/review`, editor login as for the knowledge preview).

Plain forms, no script: each button posts to `/console/review/decide` and comes back to the
inbox, where the decided turn shows what became of it (or the conversation has left).
The editor's name for the YAML comments is kept in the signed session cookie.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backoffice.analytics.catalogue import catalogue
from backoffice.console.routes import render
from backoffice.db import DbSession
from backoffice.records.knowledge.editor_auth import is_editor
from backoffice.review import knowledge_writer, nlu_writer
from backoffice.review.service import MAX_EDITOR_NAME, decide, inbox
from backoffice.review.settings import get_review_settings
from backoffice.review.texts import text, texts
from core.errors import ApiError
from core.settings import get_settings

router = APIRouter(prefix="/console/review", include_in_schema=False)
NAME_KEY = "review_editor"
EDITOR_LOGIN = "/knowledge/login"


def _editor_name(request: Request) -> str:
    name = request.session.get(NAME_KEY)
    return name if isinstance(name, str) else ""


@router.get("", response_class=HTMLResponse)
def get_review_page(request: Request, session: DbSession, error: str = "") -> Response:
    """The inbox (editors only: others go to the editor login)."""
    if not is_editor(request):
        return RedirectResponse(EDITOR_LOGIN, status_code=303)
    intents = sorted(
        name
        for name in nlu_writer.intents(get_review_settings().nlu_dir)
        if name not in catalogue().names("fallback_intents")
    )
    errors = texts()["errors"]
    return render(
        "review.html",
        staff=None,
        r=text,
        items=inbox(session),
        intents=intents,
        articles=knowledge_writer.article_ids(get_settings().knowledge_dir),
        editor=_editor_name(request),
        error=str(errors[error]) if error in errors else "",
        channel=catalogue().channel_label,
    )


@router.post("/name")
def post_name(
    request: Request, name: Annotated[str, Form(max_length=MAX_EDITOR_NAME)] = ""
) -> Response:
    """Remember the editor's name for this login."""
    if not is_editor(request):
        return RedirectResponse(EDITOR_LOGIN, status_code=303)
    request.session[NAME_KEY] = " ".join(name.split())
    return RedirectResponse("/console/review", status_code=303)


@router.post("/decide")
def post_decide(
    request: Request,
    session: DbSession,
    key: Annotated[str, Form(max_length=200)],
    decision: Annotated[str, Form(max_length=16)],
    target: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Carry out one decision and come back to the inbox (with the refusal, if any)."""
    if not is_editor(request):
        return RedirectResponse(EDITOR_LOGIN, status_code=303)
    try:
        decide(
            session,
            key=key,
            decision=decision,
            target=target.strip() or None,
            editor=_editor_name(request),
        )
    except ApiError as refused:
        return RedirectResponse(f"/console/review?error={refused.code}", status_code=303)
    return RedirectResponse("/console/review", status_code=303)
