"""Request bodies are checked before anything parses them: size, encoding, nesting depth.

`BodyGuardMiddleware` reads the body of every POST/PUT/PATCH once (at most `MAX_BODY_BYTES`)
and refuses, as Chinese JSON in the one error shape:
- 413 a body over `MAX_BODY_BYTES` (declared or actual);
- 400 a text body (JSON, form, XML, plain text, or no content type) that is not valid UTF-8;
- 400 a body nested deeper than `MAX_JSON_DEPTH`, whatever its declared type (Python's json
  module would recurse until RecursionError on `[[[[…]]]]`, and the chat rate limit reads any
  body as JSON; no form the assistant accepts nests more than a few levels).
Everything behind it (the chat rate limit, FastAPI) then parses a body known to be harmless; the
body is replayed to the app unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import error_response
from core.messages import message

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_TEXT_TYPES = ("json", "x-www-form-urlencoded", "xml", "text/")
_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE = ord('"')
_BACKSLASH = ord("\\")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when brackets outside JSON strings nest deeper than `limit` (no parsing)."""
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False


def _is_text(content_type: str) -> bool:
    lowered = content_type.lower()
    return not lowered or any(kind in lowered for kind in _TEXT_TYPES)


def body_problem(body: bytes, content_type: str) -> tuple[int, str] | None:
    """(status, message key) when `body` must be refused before parsing, else None."""
    if len(body) > MAX_BODY_BYTES:
        return 413, "payload_too_large"
    if not body:
        return None
    if _is_text(content_type):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return 400, "invalid_encoding"
    # Whatever the declared type: the chat rate limit reads the sender from any body as JSON.
    if json_too_deep(body):
        return 400, "body_too_deep"
    return None


async def read_body(receive: Receive, limit: int = MAX_BODY_BYTES) -> tuple[list[Message], bytes]:
    """The request's body events (to replay) and its body, reading at most one byte past `limit`."""
    events: list[Message] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        event = await receive()
        events.append(event)
        if event["type"] != "http.request":
            return events, b"".join(chunks)
        chunk = event.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if size > limit or not event.get("more_body", False):
            return events, b"".join(chunks)


def replay(events: Iterable[Message], receive: Receive) -> Receive:
    """A `receive` that hands out `events` first, then the connection's own."""
    pending = list(events)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class BodyGuardMiddleware:
    """Refuses oversized, badly encoded or too deeply nested bodies before any parsing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the body of POST/PUT/PATCH requests; pass everything else on."""
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            problem: tuple[int, str] | None = (413, "payload_too_large")
            events: list[Message] = []
        else:
            events, body = await read_body(receive)
            problem = body_problem(body, headers.get("content-type", ""))
        if problem is not None:
            status, key = problem
            await error_response(status, key, message(key))(scope, receive, send)
            return
        await self.app(scope, replay(events, receive), send)
