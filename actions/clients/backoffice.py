"""The typed client through which actions reach the back office.

`BackofficeTransport` is the one HTTP connection; each feature adds a typed API class in
`actions/clients/<feature>.py` built on it (e.g. `DistrictsApi`), with a cached factory.
Tests pass an `httpx.MockTransport`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import httpx

from core.log_privacy import install_log_privacy
from core.secrets_check import check_secrets
from core.settings import get_settings

# The back office's answer to too many failed look-ups (backoffice/lookup_guard.py); its error
# message is Chinese text meant for the citizen.
TOO_MANY_ATTEMPTS = 429
# How long reference data (offices, booking and donation rules, themes, districts) is reused
# before the back office is asked again: editors' changes show within this time.
REFERENCE_TTL_SECONDS = 30.0


class BackofficeError(Exception):
    """The back office could not be reached or failed (5xx)."""


class BackofficeRejectedError(BackofficeError):
    """The back office refused the request (4xx); `code` and `detail` come from its JSON error."""

    def __init__(self, status_code: int, code: str, detail: str) -> None:
        super().__init__(f"HTTP {status_code} {code}: {detail}")
        self.status_code = status_code
        self.code = code
        self.detail = detail


class BackofficeTransport:
    """Async HTTP connection to the back-office API.

    Args:
        base_url: Base URL of the web app that hosts the back office.
        timeout: Seconds to wait for one call.
        transport: Optional transport (tests pass an `httpx.MockTransport`).
        service_token: Sent as `Authorization: Bearer …` on every call (`SERVICE_TOKEN`).
        clock: Seconds, for the reference cache (tests pass a fake one).
    """

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        service_token: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        headers = {"Authorization": f"Bearer {service_token}"} if service_token else None
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, transport=transport, headers=headers
        )
        self._clock = clock
        self._reference: dict[str, tuple[float, bytes]] = {}

    async def get_reference(
        self, path: str, *, ttl: float = REFERENCE_TTL_SECONDS, params: dict[str, Any] | None = None
    ) -> bytes:
        """The body of `GET path` for data that rarely changes, reused for `ttl` seconds.

        Only answers that succeeded are kept; a failure raises as `request` does and is asked
        again next time.
        """
        key = str(httpx.URL(path, params=params))
        now = self._clock()
        kept = self._reference.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        response = await self.request("GET", path, params=params)
        self._reference[key] = (now + ttl, response.content)
        return response.content

    async def request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        """Send one request; 2xx responses are returned, anything else raises.

        Raises:
            BackofficeRejectedError: 4xx, with the back office's error code.
            BackofficeError: network failure or 5xx.
        """
        try:
            response = await self._http.request(method, path, json=json, params=params)
        except httpx.HTTPError as error:
            raise BackofficeError(f"{method} {path}: {error}") from error
        if response.is_client_error:
            code, detail = _error_fields(response)
            raise BackofficeRejectedError(response.status_code, code, detail)
        if not response.is_success:
            raise BackofficeError(f"{method} {path}: HTTP {response.status_code}")
        return response


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error", {})
        return str(error.get("code", "rejected")), str(error.get("message", ""))
    except (ValueError, AttributeError):
        return "rejected", response.text[:200]


@lru_cache(maxsize=1)
def get_transport() -> BackofficeTransport:
    """The action server's shared connection (created on first use, not at import).

    The first creation is the action server's start-up point: it installs the log-masking
    filter and, in the production profile, refuses to go on with placeholder secrets.
    """
    settings = get_settings()
    install_log_privacy()
    check_secrets(settings, role="action server")
    return BackofficeTransport(
        base_url=settings.backoffice_url,
        timeout=settings.backoffice_timeout_seconds,
        service_token=settings.service_token,
    )
