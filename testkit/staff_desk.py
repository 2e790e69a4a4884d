"""A hotline staff member at the console, for conversation scripts (`desk:` and `staff:` turns).

Logs in with a development account (seeded in the embedded profile only; backoffice/records/
handoff/README.md) and uses the console's API, as the staff page does:

    desk = StaffDeskClient(stack.web_url)
    desk.set_duty(on=True)              # the desk takes conversations, whatever the hour
    desk.act("claim", "web-abc123")     # claim the conversation's open ticket
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

DEV_AGENT = ("agent1", "dev-agent1-pass")  # 小王
TIMEOUT_SECONDS = 30.0
_PATHS = {"claim": "claim", "hand_back": "hand-back", "close": "close"}


class DeskError(RuntimeError):
    """The console's API refused or failed; the message says what and why."""


class DeskClient(Protocol):
    """What a conversation script needs from a staff member."""

    def set_duty(self, *, on: bool) -> None:
        """Switch extra duty on or off."""
        ...

    def is_open(self) -> bool:
        """True when the desk takes conversations now (office hours or someone on duty)."""
        ...

    def act(self, action: str, conversation_id: str) -> None:
        """`claim`, `hand_back` or `close` the open ticket of `conversation_id`."""
        ...


class StaffDeskClient:
    """The console API as one logged-in staff member.

    Args:
        web_url: Base URL of the web app.
        account: (username, password); default: the development agent 小王.
        transport: Optional transport, for tests.
    """

    def __init__(
        self,
        web_url: str,
        *,
        account: tuple[str, str] = DEV_AGENT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=web_url.rstrip("/") + "/api/handoff", timeout=TIMEOUT_SECONDS,
            transport=transport,
        )  # fmt: skip
        self._account = account
        self._logged_in = False

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        if not self._logged_in:
            username, password = self._account
            self._checked("POST", "/login", {"username": username, "password": password})
            self._logged_in = True
        return self._checked(method, path, body)

    def _checked(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        try:
            response = self._http.request(method, path, json=body)
        except httpx.HTTPError as error:
            raise DeskError(f"{method} /api/handoff{path} failed: {error}") from None
        if response.status_code != httpx.codes.OK:
            raise DeskError(
                f"{method} /api/handoff{path} answered {response.status_code}: {response.text}"
            )
        return response.json()

    def set_duty(self, *, on: bool) -> None:
        """Switch extra duty on or off."""
        self._call("POST", "/duty", {"on": on})

    def is_open(self) -> bool:
        """True when the desk takes conversations now."""
        return bool(self._call("GET", "/queue")["open"])

    def act(self, action: str, conversation_id: str) -> None:
        """`claim`, `hand_back` or `close` the open ticket of `conversation_id`."""
        if action not in _PATHS:
            raise DeskError(f"unknown staff action {action!r}")
        tickets = self._call("GET", "/queue")["tickets"]
        found = [t for t in tickets if t["conversation_id"] == conversation_id]
        if not found:
            raise DeskError(f"no open ticket of {conversation_id} to {action}")
        body: dict[str, Any] | None = {} if action == "hand_back" else None
        self._call("POST", f"/tickets/{found[0]['id']}/{_PATHS[action]}", body)
