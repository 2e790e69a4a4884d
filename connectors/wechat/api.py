"""Client of the WeChat server API: access token, customer-service messages, custom menu.

The access token (GET /cgi-bin/token, valid `expires_in` seconds, usually 7200) is cached and
fetched again `REFRESH_MARGIN_SECONDS` before it expires, or at once when WeChat says it is
invalid (errcode 40001, 40014, 42001; the call is then retried once). One fetch at a time: a
new token invalidates the old one after a few minutes, so concurrent fetches would be wasteful.
Bodies are sent as raw UTF-8 JSON: WeChat shows ASCII-escaped Chinese literally.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from connectors.wechat.ttl_cache import Clock

DEFAULT_API_BASE = "https://api.weixin.qq.com"
REFRESH_MARGIN_SECONDS = 300.0
TOKEN_ERRORS = frozenset({40001, 40014, 42001})


class WechatApiError(Exception):
    """WeChat refused a call (errcode ≠ 0) or could not be reached."""

    def __init__(self, message: str, *, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


class WechatApi:
    """Calls the WeChat server API with a cached access token.

    Args:
        app_id: AppID of the official account.
        app_secret: AppSecret of the official account.
        base_url: API base (tests point it at a fake server).
        timeout: Seconds per call.
        clock: Monotonic seconds (tests pass a fake clock).
        transport: Optional httpx transport.
    """

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        base_url: str = DEFAULT_API_BASE,
        timeout: float = 10.0,
        clock: Clock = time.monotonic,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self._base_url = base_url.rstrip("/")
        self._clock = clock
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._token: str | None = None
        self._expires_at = 0.0
        self._token_lock = asyncio.Lock()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def access_token(self, *, rejected: str | None = None) -> str:
        """A valid access token: fetched when missing, near expiry, or equal to `rejected`."""
        async with self._token_lock:
            fresh = self._clock() < self._expires_at - REFRESH_MARGIN_SECONDS
            if self._token is not None and fresh and self._token != rejected:
                return self._token
            data = await self._call(
                "GET",
                "/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": self._app_id,
                    "secret": self._app_secret,
                },
            )
            token = data.get("access_token")
            if not isinstance(token, str) or not token:
                raise WechatApiError("no access_token in the answer")
            self._token = token
            self._expires_at = self._clock() + float(data.get("expires_in", 7200))
            return token

    async def send_text(self, open_id: str, content: str) -> None:
        """Send a customer-service text message (POST /cgi-bin/message/custom/send).

        Raises:
            WechatApiError: WeChat refused it (e.g. 45015: no message from the citizen in 48 h).
        """
        body = {"touser": open_id, "msgtype": "text", "text": {"content": content}}
        await self.post_with_token("/cgi-bin/message/custom/send", body)

    async def create_menu(self, menu: dict[str, Any]) -> None:
        """Replace the custom menu (POST /cgi-bin/menu/create)."""
        await self.post_with_token("/cgi-bin/menu/create", menu)

    async def post_with_token(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` to `path` with the access token; retried once with a new token."""
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        rejected: str | None = None
        for attempt in (1, 2):
            token = await self.access_token(rejected=rejected)
            try:
                return await self._call(
                    "POST",
                    path,
                    params={"access_token": token},
                    content=content,
                    headers={"Content-Type": "application/json; charset=utf-8"},
                )
            except WechatApiError as error:
                if error.errcode not in TOKEN_ERRORS or attempt == 2:
                    raise
                rejected = token
        raise AssertionError("unreachable")

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(method, f"{self._base_url}{path}", **kwargs)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise WechatApiError(f"{path}: {error}") from error
        if not isinstance(data, dict):
            raise WechatApiError(f"{path}: unexpected answer")
        errcode = data.get("errcode", 0)
        if errcode:
            raise WechatApiError(f"{path}: {errcode} {data.get('errmsg', '')}", errcode=errcode)
        return data
