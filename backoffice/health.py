"""Health check of the back office: the database answers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backoffice.db import DbSession

router = APIRouter(tags=["health"])


@router.get("/health")
def get_health(session: DbSession) -> JSONResponse:
    """200 with `{"status": "ok"}` when the database answers, 503 otherwise."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse(status_code=503, content={"status": "database_unavailable"})
    return JSONResponse(content={"status": "ok"})
