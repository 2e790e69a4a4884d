"""Telegram records over HTTP: the supervisor sees outgoing messages that failed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from backoffice.db import DbSession
from backoffice.records.telegram import mapping, service
from backoffice.records.telegram.schemas import FailedSendOut
from backoffice.staff.access import require_supervisor
from backoffice.staff.models import StaffUser

router = APIRouter(prefix="/api/telegram", tags=["telegram"])

SupervisorDep = Annotated[StaffUser, Depends(require_supervisor)]


@router.get("/failed-sends", response_model=list[FailedSendOut])
def get_failed_sends(
    session: DbSession, supervisor: SupervisorDep, include_resent: bool = False
) -> list[FailedSendOut]:
    """Outgoing Telegram messages that could not be sent, newest first."""
    rows = service.failed_sends(session=session, status=None if include_resent else "failed")
    return [mapping.failed_send_out(row) for row in rows]
