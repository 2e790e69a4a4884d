"""How the desk changes a record: one conditional UPDATE, committed, judged by its row count.

Two staff members (or two processes) acting at once cannot both win: exactly one claim, one
close, one hand-back. The loser gets a `HandoffConflictError` whose code says why.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from backoffice.db import rowcount
from backoffice.records.handoff.texts import error_text
from core.errors import ApiError

# The status of a lost state change when it is not 409 Conflict.
CONFLICT_STATUS = {
    "ticket_not_found": 404,
    "callback_not_found": 404,
    "not_yours": 403,
    "resume_not_allowed": 422,
}


class HandoffConflictError(ApiError):
    """A state change lost (already claimed, no longer waiting, not yours); `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(CONFLICT_STATUS.get(code, 409), code, error_text(code))


def apply_update(session: Session, statement: Any) -> int:
    """Run one UPDATE, commit, and return how many rows it matched."""
    result = session.execute(statement, execution_options={"synchronize_session": False})
    session.commit()
    return rowcount(result)
