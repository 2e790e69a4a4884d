"""Bearer-token check for machine and editor API calls."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from fastapi import Header, HTTPException


def require_bearer(get_token: Callable[[], str], *, refusal: str) -> Callable[[str | None], None]:
    """A FastAPI dependency that accepts only `Authorization: Bearer <token>`.

    Args:
        get_token: Returns the expected token; an empty token refuses every call.
        refusal: Chinese message of the 401 error.
    """

    def check(authorization: str | None = Header(default=None)) -> None:
        expected = get_token()
        supplied = (authorization or "").removeprefix("Bearer ").strip()
        if not expected or not hmac.compare_digest(supplied.encode(), expected.encode()):
            raise HTTPException(status_code=401, detail=refusal)

    return check
