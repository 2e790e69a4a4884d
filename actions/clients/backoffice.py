"""The one typed client through which actions reach the back office."""

from __future__ import annotations

from functools import lru_cache

import httpx
from pydantic import BaseModel, TypeAdapter

from core.settings import get_settings


class BackofficeError(Exception):
    """The back office could not be reached or refused the request."""


class District(BaseModel):
    """A district or county of the city."""

    code: str
    name: str
    short_name: str
    kind: str
    assistance_tier: str


_DISTRICTS = TypeAdapter(list[District])


class BackofficeClient:
    """Async HTTP client of the back-office API.

    Args:
        base_url: Base URL of the web app that hosts the back office.
        timeout: Seconds to wait for one call.
        transport: Optional transport (tests pass an `httpx.MockTransport`).
    """

    def __init__(
        self, *, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    async def list_districts(self) -> list[District]:
        """The city's districts and counties."""
        response = await self._request("GET", "/api/districts")
        return _DISTRICTS.validate_json(response.content)

    async def _request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as error:
            raise BackofficeError(f"{method} {path}: {error}") from error
        if response.is_server_error:
            raise BackofficeError(f"{method} {path}: HTTP {response.status_code}")
        return response


@lru_cache(maxsize=1)
def get_backoffice_client() -> BackofficeClient:
    """The action server's shared client (created on first use, not at import)."""
    settings = get_settings()
    return BackofficeClient(
        base_url=settings.backoffice_url, timeout=settings.backoffice_timeout_seconds
    )
