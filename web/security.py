"""Security of the web app: response headers, CORS and the citizens' chat rate limit.

`install_security(app, settings)` (called from `web.main.create_app`) adds, from the outside in:
- `SecurityHeadersMiddleware`: Content-Security-Policy, X-Content-Type-Options, Referrer-Policy,
  X-Frame-Options, Permissions-Policy on every response; HSTS in the production profile;
- `JsonCORSMiddleware` (Starlette's CORS) allowing only `CORS_ORIGINS` (none when empty: same
  origin only); a refused preflight answers Chinese JSON;
- `BodyGuardMiddleware` (web/body_guard.py): size, encoding and depth of every body;
- `StaffGuardMiddleware` (web/staff_guard.py): staff and editor state changes only from this
  site (Origin/Referer), each one audited;
- `ChatRateLimitMiddleware`: `POST /api/chat` at most `RATE_LIMIT_PER_SENDER_PER_MINUTE` per
  sender and `RATE_LIMIT_PER_IP_PER_MINUTE` per client IP, else 429 with a Chinese message.

The client IP is the connection's peer; behind a reverse proxy run uvicorn with
`--proxy-headers --forwarded-allow-ips=<proxy>` so that it is the citizen's address.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import error_response
from core.messages import message
from core.settings import Settings
from web.body_guard import BodyGuardMiddleware, read_body, replay
from web.rate_limit import Limiter, build_limiter
from web.staff_guard import StaffGuardMiddleware

CHAT_PATH = "/api/chat"
# The web chat page and the staff console load only their own scripts and styles; JSON data
# blocks (<script type="application/json">) are not executed, so they need no exception.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Pages with inline script/style: the knowledge preview page (editors) and the API docs.
RELAXED_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
RELAXED_CSP_PATHS = ("/knowledge/preview", "/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(path: str, *, production: bool) -> dict[str, str]:
    """The headers every response to `path` carries."""
    relaxed = any(path == prefix or path.startswith(prefix + "/") for prefix in RELAXED_CSP_PATHS)
    headers = {
        "Content-Security-Policy": RELAXED_CSP if relaxed else DEFAULT_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if production:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeadersMiddleware:
    """Adds `security_headers` to every HTTP response (headers already set are kept)."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"], production=self.production)

        async def send_with_headers(event: Message) -> None:
            if event["type"] == "http.response.start":
                headers = MutableHeaders(scope=event)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(event)

        await self.app(scope, receive, send_with_headers)


def parse_origins(value: str) -> list[str]:
    """`CORS_ORIGINS` as a list ("https://a.gov.cn, https://b.gov.cn"; trailing "/" dropped)."""
    return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]


class ChatRateLimitMiddleware:
    """Refuses citizens' chat messages over the per-sender or per-IP limit with 429.

    Args:
        app: The inner ASGI app.
        limiter: Where the windows are kept.
        per_sender: Messages per sender per minute (0 = no limit).
        per_ip: Messages per client IP per minute (0 = no limit).
    """

    def __init__(self, app: ASGIApp, *, limiter: Limiter, per_sender: int, per_ip: int) -> None:
        self.app = app
        self.limiter = limiter
        self.per_sender = per_sender
        self.per_ip = per_ip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check `POST /api/chat` against the limits; pass everything else on."""
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].rstrip("/") == CHAT_PATH
        ):
            await self.app(scope, receive, send)
            return
        events, body = await read_body(receive)
        if not await self._allowed(scope, body):
            response = error_response(429, "rate_limited", message("rate_limited"))
            response.headers["Retry-After"] = "60"
            await response(scope, receive, send)
            return
        await self.app(scope, replay(events, receive), send)

    async def _allowed(self, scope: Scope, body: bytes) -> bool:
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        if self.per_ip > 0 and not await self.limiter.allow(f"ip:{ip}", self.per_ip):
            return False
        sender = _sender_of(body)
        if self.per_sender > 0 and sender is not None:
            return await self.limiter.allow(f"sender:{sender}", self.per_sender)
        return True


def _sender_of(body: bytes) -> str | None:
    try:
        data = json.loads(body)  # web.body_guard has refused bad encodings and deep nesting
    except ValueError:
        return None
    sender = data.get("sender") if isinstance(data, dict) else None
    return sender[:64] if isinstance(sender, str) and sender else None


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with refused preflights in Chinese JSON instead of plain text."""

    def preflight_response(self, request_headers: Headers) -> Response:
        """Starlette's answer; a refusal (400) becomes the project's error shape."""
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        refusal = error_response(400, "cors_refused", message("cors_refused"))
        for name, value in response.headers.items():
            if name not in ("content-type", "content-length"):
                refusal.headers[name] = value
        return refusal


def install_security(app: FastAPI, settings: Settings) -> Limiter:
    """Add the rate limit, CORS and the security headers to `app`; returns the limiter.

    The caller closes the limiter on shutdown (`await limiter.aclose()`).
    """
    limiter = build_limiter(settings.redis_url, settings.redis_key_prefix)
    app.add_middleware(
        ChatRateLimitMiddleware,
        limiter=limiter,
        per_sender=settings.rate_limit_per_sender_per_minute,
        per_ip=settings.rate_limit_per_ip_per_minute,
    )
    app.add_middleware(StaffGuardMiddleware, site_origin=settings.site_origin)
    app.add_middleware(BodyGuardMiddleware)
    app.add_middleware(
        JsonCORSMiddleware,
        allow_origins=parse_origins(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept", "Last-Event-ID"],
        allow_credentials=False,
        max_age=600,
    )
    app.add_middleware(SecurityHeadersMiddleware, production=settings.profile == "production")
    return limiter
