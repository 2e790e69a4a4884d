"""The staff console: server-rendered pages (login, desk, call-backs, supervisor) + small JS.

Every page but the login needs a staff session (`require_staff_page` on the router); without one
the browser is sent to the login page. The data and the live updates come from `/api/handoff`.
Every label comes from `strings.yml`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.middleware.sessions import SessionMiddleware

from backoffice.records.handoff import callback_requests
from backoffice.records.handoff.dependencies import DeskDep
from backoffice.records.handoff.router import build_overview
from backoffice.records.handoff.settings import get_handoff_settings, session_secret
from backoffice.records.handoff.texts import resume_points
from backoffice.staff.access import LoginRequiredError, require_staff_page
from backoffice.staff.login import attempt_login, log_out
from backoffice.staff.models import SUPERVISOR, StaffUser

CONSOLE_DIR = Path(__file__).resolve().parent
STRINGS_FILE = CONSOLE_DIR / "strings.yml"
LOGIN_PATH = "/console/login"
SESSION_COOKIE = "mz_staff_session"

public_router = APIRouter(prefix="/console", include_in_schema=False)
router = APIRouter(
    prefix="/console", include_in_schema=False, dependencies=[Depends(require_staff_page)]
)
StaffPage = Annotated[StaffUser, Depends(require_staff_page)]


@lru_cache(maxsize=1)
def load_strings() -> dict[str, str]:
    """The console's labels (flat mapping)."""
    with STRINGS_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return {str(key): str(value) for key, value in data.items() if key != "version"}


@lru_cache(maxsize=1)
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(CONSOLE_DIR / "templates"),
        autoescape=select_autoescape(["html"]),
    )


def _label(key: str, **values: object) -> str:
    text = load_strings().get(key, key)
    return text.format(**values) if values else text


def _local(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"{local:%m-%d %H:%M}"


def render(
    name: str, *, staff: StaffUser | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A console page rendered with the labels and the logged-in staff member."""
    html = (
        _templates()
        .get_template(name)
        .render(t=_label, strings=load_strings(), staff=staff, local=_local, **context)
    )
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


@public_router.get("/login", response_class=HTMLResponse)
def get_login() -> HTMLResponse:
    """The login form."""
    return render("login.html", staff=None, error=None)


@public_router.post("/login", response_class=HTMLResponse)
async def post_login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=72)] = "",
) -> Response:
    """Check the credentials (throttled); on success go to the desk."""
    result = await attempt_login(request, username=username, password=password)
    if result.retry_after:
        error = _label("login_throttled", seconds=result.retry_after)
        page = render("login.html", staff=None, error=error, status_code=429)
        page.headers["Retry-After"] = str(result.retry_after)
        return page
    if result.staff is None:
        return render("login.html", staff=None, error=_label("login_failed"), status_code=401)
    return RedirectResponse("/console", status_code=303)


@router.post("/logout")
async def post_logout(request: Request, staff: StaffPage) -> RedirectResponse:
    """Log out everywhere and go back to the login page."""
    await log_out(request, staff)
    return RedirectResponse(LOGIN_PATH, status_code=303)


@router.get("", response_class=HTMLResponse)
def get_desk_page(staff: StaffPage) -> HTMLResponse:
    """The desk: live queue on the left, the open ticket on the right."""
    return render("desk.html", staff=staff, resume_points=resume_points())


@router.get("/callbacks", response_class=HTMLResponse)
def get_callbacks_page(staff: StaffPage, desk: DeskDep, include_done: bool = False) -> HTMLResponse:
    """Call-back requests."""
    with desk.session_factory() as session:
        rows = callback_requests.list_callbacks(session=session, include_done=include_done)
    return render("callbacks.html", staff=staff, callbacks=rows, include_done=include_done)


@router.get("/supervisor", response_class=HTMLResponse)
def get_supervisor_page(staff: StaffPage, desk: DeskDep) -> HTMLResponse:
    """Supervisor overview (403 page for agents)."""
    if staff.role != SUPERVISOR:
        return render("forbidden.html", staff=staff, status_code=403)
    with desk.session_factory() as session:
        overview = build_overview(desk, session)
    return render("supervisor.html", staff=staff, overview=overview)


async def _login_redirect(request: Request, error: Exception) -> Response:
    if request.method == "GET":
        return RedirectResponse(LOGIN_PATH, status_code=303)
    return RedirectResponse(LOGIN_PATH, status_code=303)


def install_console(app: FastAPI) -> None:
    """Add the staff session cookie, the console pages and their static files to `app`."""
    settings = get_handoff_settings()
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_hours * 3600,
        same_site="strict",
        https_only=settings.cookie_secure,
    )
    app.include_router(public_router)
    app.include_router(router)
    app.add_exception_handler(LoginRequiredError, _login_redirect)
    app.mount(
        "/console/static", StaticFiles(directory=CONSOLE_DIR / "static"), name="console-static"
    )
