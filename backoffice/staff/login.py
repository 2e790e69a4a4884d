"""Logging in and out.

Both login routes (the console form and `POST /api/handoff/login`) go through `attempt_login`:
throttled per user name and per IP (backoffice/login_throttle.py), the same bcrypt work for an
unknown user as for a known one, and every attempt in the audit log (backoffice/audit.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from backoffice.audit import audit, name_digest
from backoffice.login_throttle import get_login_throttle, login_keys
from backoffice.staff import service
from backoffice.staff.access import SESSION_KEY, staff_sessions
from backoffice.staff.models import StaffUser
from backoffice.staff.passwords import dummy_hash, verify_password

LOGIN_REALM = "staff"
T = TypeVar("T")


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login attempt: the staff member, or how long to wait (throttled)."""

    staff: StaffUser | None
    retry_after: int = 0


def authenticate(*, session: Session, username: str, password: str) -> StaffUser | None:
    """The active staff member with these credentials, else None."""
    staff = service.staff_by_username(session=session, username=username.strip())
    if staff is None or not staff.active:
        verify_password(password, dummy_hash())
        return None
    return staff if verify_password(password, staff.password_hash) else None


def client_ip(request: Request) -> str:
    """The peer address (behind a proxy: uvicorn --proxy-headers makes it the client's)."""
    return request.client.host if request.client else "unknown"


async def _in_thread(request: Request, work: Callable[[Session], T]) -> T:
    def run() -> T:
        with staff_sessions(request)() as session:
            return work(session)

    return await run_in_threadpool(run)


async def attempt_login(request: Request, *, username: str, password: str) -> LoginResult:
    """Check the credentials under the login throttle; log the attempt; start the session."""
    ip = client_ip(request)
    user_key, ip_key = login_keys(LOGIN_REALM, username, ip)
    throttle = get_login_throttle()
    wait = throttle.retry_after(user_key, ip_key)
    if wait:
        audit("login_throttled", realm=LOGIN_REALM, user=name_digest(username), ip=ip, wait=wait)
        return LoginResult(staff=None, retry_after=wait)
    staff = await _in_thread(
        request, lambda s: authenticate(session=s, username=username, password=password)
    )
    if staff is None:
        throttle.failed(user_key, ip_key)
        audit("login_failed", realm=LOGIN_REALM, user=name_digest(username), ip=ip)
        return LoginResult(staff=None)
    throttle.succeeded(user_key)
    audit("login_ok", realm=LOGIN_REALM, user=staff.username, staff_id=staff.id, ip=ip)
    request.session.clear()
    request.session[SESSION_KEY] = {"id": staff.id, "epoch": staff.session_epoch}
    return LoginResult(staff=staff)


async def log_out(request: Request, staff: StaffUser) -> None:
    """End every session of `staff` (all browsers) and forget the one in this browser."""
    await _in_thread(request, lambda s: service.bump_session_epoch(session=s, staff_id=staff.id))
    request.session.clear()
