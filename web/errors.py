"""Every error leaves the web app as a JSON body in Chinese, never as a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from connectors.messages import message

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
_STATUS_MESSAGES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def error_response(status_code: int, code: str, text: str) -> JSONResponse:
    """The one error shape of every API: `{"error": {"code", "message"}}`."""
    return JSONResponse(status_code=status_code, content={"error": {"code": code, "message": text}})


def _describe(error: RequestValidationError) -> tuple[str, str]:
    errors = error.errors()
    if any(item.get("type") == "json_invalid" for item in errors):
        return "invalid_json", message("invalid_json")
    fields = sorted(
        {".".join(str(part) for part in item.get("loc", ())[1:]) or "body" for item in errors}
    )
    return "invalid_request", message("invalid_request", detail="、".join(fields))


async def _validation_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    code, text = _describe(error)
    status = 400 if code == "invalid_json" else 422
    return error_response(status, code, text)


async def _http_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    key = _STATUS_MESSAGES.get(error.status_code)
    if key is not None:
        return error_response(error.status_code, key, message(key))
    detail = error.detail if isinstance(error.detail, str) else str(error.detail)
    return error_response(error.status_code, "http_error", detail)


async def _unexpected_handler(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(500, "internal_error", message("internal_error"))


class BodySizeLimitMiddleware(BaseHTTPMiddleware):
    """Refuses bodies larger than `MAX_BODY_BYTES` before they are parsed."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Check the declared length, then the actual body, against the limit."""
        if request.method in {"POST", "PUT", "PATCH"}:
            declared = request.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                return error_response(413, "payload_too_large", message("payload_too_large"))
            if len(await request.body()) > MAX_BODY_BYTES:
                return error_response(413, "payload_too_large", message("payload_too_large"))
        return await call_next(request)


def install_error_handling(app: FastAPI) -> None:
    """Register the JSON error handlers and the body size limit on `app`."""
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unexpected_handler)
