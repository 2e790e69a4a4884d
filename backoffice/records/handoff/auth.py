"""Staff log-in: bcrypt password hashes and a signed session cookie.

The cookie (Starlette's SessionMiddleware, signed with itsdangerous) holds the staff id and the
staff member's `session_epoch`; logging out bumps the epoch, so every copy of an old cookie stops
working. Every staff route depends on `require_staff` (router-level), pages on
`require_staff_page` (redirects to the login page).

Both login routes (the console form and `POST /api/handoff/login`) go through `attempt_login`:
throttled per user name and per IP (backoffice/login_throttle.py), the same bcrypt work for an
unknown user as for a known one, and every attempt in the audit log (backoffice/audit.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

import bcrypt
from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from backoffice.audit import audit, name_digest
from backoffice.login_throttle import get_login_throttle, login_keys
from backoffice.records.handoff import service
from backoffice.records.handoff.desk import HandoffDesk
from backoffice.records.handoff.models import SUPERVISOR, StaffUser, utcnow
from backoffice.records.handoff.texts import error_text

SESSION_KEY = "staff"
TOUCH_EVERY = dt.timedelta(seconds=60)
LOGIN_REALM = "staff"


class LoginRequiredError(Exception):
    """A console page was opened without a valid session (the app redirects to the login)."""


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """The hash checked when the user name is unknown: a real one's cost, so both take as long."""
    return hash_password("not-a-password")


def hash_password(password: str) -> str:
    """A bcrypt hash of `password` (at most 72 bytes: bcrypt's limit)."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches the bcrypt hash."""
    encoded = password.encode("utf-8")
    if len(encoded) > 72:
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode("ascii"))
    except ValueError:
        return False


def authenticate(*, session: Session, username: str, password: str) -> StaffUser | None:
    """The active staff member with these credentials, else None."""
    staff = service.staff_by_username(session=session, username=username.strip())
    if staff is None or not staff.active:
        verify_password(password, _dummy_hash())
        return None
    return staff if verify_password(password, staff.password_hash) else None


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login attempt: the staff member, or how long to wait (throttled)."""

    staff: StaffUser | None
    retry_after: int = 0


def client_ip(request: Request) -> str:
    """The peer address (behind a proxy: uvicorn --proxy-headers makes it the client's)."""
    return request.client.host if request.client else "unknown"


async def attempt_login(
    request: Request, desk: HandoffDesk, *, username: str, password: str
) -> LoginResult:
    """Check the credentials under the login throttle; log the attempt; start the session."""
    ip = client_ip(request)
    user_key, ip_key = login_keys(LOGIN_REALM, username, ip)
    throttle = get_login_throttle()
    wait = throttle.retry_after(user_key, ip_key)
    if wait:
        audit("login_throttled", realm=LOGIN_REALM, user=name_digest(username), ip=ip, wait=wait)
        return LoginResult(staff=None, retry_after=wait)
    staff = await desk.run_db(
        lambda s: authenticate(session=s, username=username, password=password)
    )
    if staff is None:
        throttle.failed(user_key, ip_key)
        audit("login_failed", realm=LOGIN_REALM, user=name_digest(username), ip=ip)
        return LoginResult(staff=None)
    throttle.succeeded(user_key)
    audit("login_ok", realm=LOGIN_REALM, user=staff.username, staff_id=staff.id, ip=ip)
    log_in(request, staff)
    return LoginResult(staff=staff)


def log_in(request: Request, staff: StaffUser) -> None:
    """Start a session for `staff` (a fresh cookie)."""
    request.session.clear()
    request.session[SESSION_KEY] = {"id": staff.id, "epoch": staff.session_epoch}


def log_out(request: Request) -> None:
    """Forget the session in this browser."""
    request.session.clear()


def get_desk(request: Request) -> HandoffDesk:
    """The handoff desk built at start-up."""
    desk: HandoffDesk = request.app.state.handoff_desk
    return desk


DeskDep = Annotated[HandoffDesk, Depends(get_desk)]


def current_staff(request: Request) -> StaffUser | None:
    """The logged-in staff member of this request, or None (runs in a worker thread)."""
    data = request.session.get(SESSION_KEY) if "session" in request.scope else None
    if not isinstance(data, dict):
        return None
    desk = get_desk(request)
    with desk.session_factory() as session:
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
