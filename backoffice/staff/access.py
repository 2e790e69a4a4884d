"""Who is logged in: the signed session cookie, and the dependencies of staff routes and pages.

The cookie (Starlette's SessionMiddleware, signed with itsdangerous) holds the staff id and the
staff member's `session_epoch`; logging out bumps the epoch, so every copy of an old cookie stops
working. Every staff route depends on `require_staff` (router-level), pages on
`require_staff_page` (redirects to the login page).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import utcnow
from backoffice.staff import service
from backoffice.staff.models import SUPERVISOR, StaffUser
from core.texts import read_texts

SESSION_KEY = "staff"
TOUCH_EVERY = dt.timedelta(seconds=60)
TEXTS_FILE = Path(__file__).with_name("texts.yml")


class LoginRequiredError(Exception):
    """A console page was opened without a valid session (the app redirects to the login)."""


def error_text(key: str) -> str:
    """The API error message `key` of a refused staff request."""
    return str(read_texts(TEXTS_FILE)["errors"][key])


def staff_sessions(request: Request) -> sessionmaker[Session]:
    """The database sessions of the staff table (`app.state.staff_sessions`, set at start-up)."""
    sessions: sessionmaker[Session] = request.app.state.staff_sessions
    return sessions


def current_staff(request: Request) -> StaffUser | None:
    """The logged-in staff member of this request, or None (runs in a worker thread)."""
    data = request.session.get(SESSION_KEY) if "session" in request.scope else None
    if not isinstance(data, dict):
        return None
    with staff_sessions(request)() as session:
        staff = session.get(StaffUser, data.get("id"))
        if staff is None or not staff.active or staff.session_epoch != data.get("epoch"):
            return None
        now = utcnow()
        if staff.last_seen_at is None or now - staff.last_seen_at > TOUCH_EVERY:
            service.touch_staff(session=session, staff_id=staff.id, now=now)
            session.refresh(staff)
        session.expunge(staff)
    return staff


def require_staff(request: Request) -> StaffUser:
    """FastAPI dependency of every staff API route: 401 without a valid session."""
    staff = current_staff(request)
    if staff is None:
        raise HTTPException(status_code=401, detail=error_text("not_logged_in"))
    request.state.staff = staff
    return staff


def require_staff_page(request: Request) -> StaffUser:
    """FastAPI dependency of every console page: redirect to the login without a session."""
    staff = current_staff(request)
    if staff is None:
        raise LoginRequiredError
    request.state.staff = staff
    return staff


def require_supervisor(staff: Annotated[StaffUser, Depends(require_staff)]) -> StaffUser:
    """FastAPI dependency: 403 unless the staff member is a supervisor."""
    if staff.role != SUPERVISOR:
        raise HTTPException(status_code=403, detail=error_text("forbidden"))
    return staff


StaffDep = Annotated[StaffUser, Depends(require_staff)]
SupervisorDep = Annotated[StaffUser, Depends(require_supervisor)]
