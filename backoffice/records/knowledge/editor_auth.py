"""Editors' access: the `EDITOR_TOKEN` as a bearer token (scripts) or an editor login (browser).

The login page (`/knowledge/login`) takes the token once and keeps a fingerprint of it in the
signed session cookie (the staff console's `SessionMiddleware`); a changed token ends every
editor session. An empty `EDITOR_TOKEN` refuses everything.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request

from core.settings import get_settings
from core.texts import read_texts

SESSION_KEY = "editor"
TEXTS_FILE = Path(__file__).with_name("texts.yml")


def _texts() -> dict[str, Any]:
    return read_texts(TEXTS_FILE)


def editor_text(key: str) -> str:
    """The editor-facing text `key` (texts.yml)."""
    return str(_texts()[key])


def _fingerprint(token: str) -> str:
    return hashlib.sha256(b"minzheng-editor:" + token.encode()).hexdigest()


def token_is_right(supplied: str) -> bool:
    """True when `supplied` is the configured editor token (constant time; none set: False)."""
    expected = get_settings().editor_token
    return bool(expected) and hmac.compare_digest(supplied.strip().encode(), expected.encode())


def log_in_editor(request: Request) -> None:
    """Mark this browser's session as an editor's."""
    request.session[SESSION_KEY] = _fingerprint(get_settings().editor_token)


def is_editor(request: Request) -> bool:
    """True for a request with the editor token as bearer, or from a logged-in editor."""
    scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token_is_right(supplied):
        return True
    expected = get_settings().editor_token
    marker = request.session.get(SESSION_KEY) if "session" in request.scope else None
    return (
        bool(expected)
        and isinstance(marker, str)
        and hmac.compare_digest(marker, _fingerprint(expected))
    )


def require_editor(request: Request) -> None:
    """FastAPI dependency of the editors' routes: 401 in Chinese unless `is_editor`.

    Raises:
        HTTPException: 401.
    """
    if not is_editor(request):
        raise HTTPException(
            status_code=401,
            detail=editor_text("editor_token_required"),
            headers={"WWW-Authenticate": "Bearer"},
        )
