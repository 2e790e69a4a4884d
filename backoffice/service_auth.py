"""The service token: only the action server may call the records API.

The records routes the action server calls (bookings, look-ups, pledges, handoff tickets …)
depend on `require_service`: in every profile they accept a call only with
`Authorization: Bearer <SERVICE_TOKEN>`, and an empty token refuses every call (`make run` makes a
random one on first start: core/local_secrets.py; the production start-up check refuses a weak
one).

Citizen and public routes (the chat gateway, its live updates, health, channel webhooks) and the
signed payment callbacks do not use it; staff routes use the staff session, editor routes
`EDITOR_TOKEN`.
"""

from __future__ import annotations

import hmac

from fastapi import Depends, Header, HTTPException

from core.messages import message
from core.settings import get_settings

SERVICE_HEADER = "Authorization"


def service_token_matches(authorization: str | None, expected: str) -> bool:
    """True when `authorization` is `Bearer <expected>` (constant-time comparison)."""
    scheme, _, supplied = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(supplied.strip().encode(), expected.encode())


def require_service(authorization: str | None = Header(default=None)) -> None:
    """FastAPI dependency: refuse with 401 unless the service token is sent (none set: refuse).

    Raises:
        HTTPException: 401 with a Chinese message.
    """
    expected = get_settings().service_token
    if not expected or not service_token_matches(authorization, expected):
        raise HTTPException(
            status_code=401,
            detail=message("service_token_required"),
            headers={"WWW-Authenticate": "Bearer"},
        )


ServiceOnly = Depends(require_service)
