"""Staff and editor routes: a cross-site check on every state-changing request, and its audit.

`StaffGuardMiddleware` looks at POST/PUT/PATCH/DELETE requests to the staff console, the handoff
desk, the staff records routes (`/api/<service>/staff/...`), the Telegram supervisor routes and
the editors' login and reload:
- CSRF: when the browser says where the request comes from (`Origin`, else `Referer`), that must
  be this site (`SITE_ORIGIN` when set, else the request's own `Host`): 403 in Chinese JSON.
  Browsers send `Origin` on every cross-site POST; the session cookie is also `SameSite=Strict`.
  A request without either header (a script with a bearer token) is not a browser's CSRF.
- Audit: every such request that passed is logged (`staff_action`: who, what, the status).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backoffice.audit import audit
from core.errors import error_response
from core.messages import message

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STAFF_PREFIXES = (
    "/console",
    "/knowledge/",
    "/api/knowledge/reload",
    "/api/handoff/",
    "/api/telegram/",
)
MACHINE_PREFIXES = ("/api/handoff/bot/",)


def is_staff_path(path: str) -> bool:
    """True for the routes staff and editors use from a browser."""
    if path.startswith(MACHINE_PREFIXES):
        return False
    return path.startswith(STAFF_PREFIXES) or (path.startswith("/api/") and "/staff/" in path)


def _netloc(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return parts.netloc.lower() if parts.scheme in ("http", "https") and parts.netloc else None


def same_site(headers: Headers, site_origin: str) -> bool:
    """False when `Origin` (else `Referer`) names another site than this one."""
    source = headers.get("origin") or headers.get("referer")
    if source is None:
        return True
    expected = _netloc(site_origin) if site_origin else headers.get("host", "").lower()
    return expected is not None and _netloc(source) == expected


class StaffGuardMiddleware:
    """Refuses cross-site state changes on staff routes; logs the staff actions.

    Args:
        app: The inner ASGI app.
        site_origin: This site's public origin (`SITE_ORIGIN`, e.g. behind a reverse proxy that
            does not pass the Host header on); empty: the request's Host.
    """

    def __init__(self, app: ASGIApp, *, site_origin: str = "") -> None:
        self.app = app
        self.site_origin = site_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check and audit state-changing staff requests; pass everything else on."""
        if not (
            scope["type"] == "http"
            and scope["method"] in STATE_CHANGING
            and is_staff_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        if not same_site(Headers(scope=scope), self.site_origin):
            audit("cross_site_refused", method=scope["method"], path=scope["path"], ip=ip)
            refusal = error_response(403, "cross_site_refused", message("cross_site_refused"))
            await refusal(scope, receive, send)
            return
        status = [500]

        async def send_and_note(event: Message) -> None:
            if event["type"] == "http.response.start":
                status[0] = int(event["status"])
            await send(event)

        await self.app(scope, receive, send_and_note)
        staff = scope.get("state", {}).get("staff")
        audit(
            "staff_action",
            method=scope["method"],
            path=scope["path"],
            status=status[0],
            staff_id=getattr(staff, "id", None),
            staff=getattr(staff, "username", None),
            ip=ip,
        )
