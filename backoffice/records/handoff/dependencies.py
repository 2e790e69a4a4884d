"""The handoff desk as a FastAPI dependency (built at start-up, kept on `app.state`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from backoffice.records.handoff.desk import HandoffDesk


async def get_desk(request: Request) -> HandoffDesk:
    """The handoff desk built at start-up (async: FastAPI runs a plain `def` in a thread)."""
    desk: HandoffDesk = request.app.state.handoff_desk
    return desk


DeskDep = Annotated[HandoffDesk, Depends(get_desk)]
