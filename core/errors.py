"""Every error leaves the web app as a JSON body in Chinese, never as a traceback."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.messages import message

logger = logging.getLogger(__name__)

_STATUS_MESSAGES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
# Errors raised by the libraries themselves carry English details ("There was an error parsing
# the body", "Not authenticated"); those statuses get a Chinese message instead.
_LIBRARY_STATUS_MESSAGES = {400: "bad_request", 401: "unauthorized", 403: "forbidden"}


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= character <= "\u9fff" for character in text)


def error_response(
    status_code: int, code: str, text: str, *, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one error shape of every API: `{"error": {"code", "message"}}`."""
    return JSONResponse(
        status_code=status_code,
        content={"error": {"code": code, "message": text}},
        headers=dict(headers) if headers else None,
    )


class ApiError(Exception):
    """A refused request: its HTTP status, a machine-readable code and the Chinese message.

    Raised anywhere below a route; the handler `install_error_handling` registers answers it
    with the one error shape (`error_response`).
    """

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status_code} {code}: {message}")
        self.status_code = status_code
        self.code = code
        self.message = message
        self.headers = dict(headers) if headers else None


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
    if _is_chinese(detail):
        return error_response(error.status_code, "http_error", detail, headers=error.headers)
    fallback = _LIBRARY_STATUS_MESSAGES.get(error.status_code, "bad_request")
    return error_response(error.status_code, fallback, message(fallback), headers=error.headers)


async def _api_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return error_response(error.status_code, error.code, error.message, headers=error.headers)


async def _unexpected_handler(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(500, "internal_error", message("internal_error"))


def install_error_handling(app: FastAPI) -> None:
    """Register the JSON error handlers on `app`."""
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unexpected_handler)
