"""`/api/analytics/…`: the figures for the bureau's own tools (supervisor login).

`GET /api/analytics/report` gives every table; `/api/analytics/tables/{name}` one table as JSON
and `/api/analytics/tables/{name}.csv` as CSV. `start` and `end` are Hangzhou dates (both
included); `demo=true` reads the demo data instead of the real records.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backoffice.analytics.catalogue import catalogue
from backoffice.analytics.metrics import BUILDERS, Table
from backoffice.analytics.service import period_of, report, table_csv
from backoffice.db import DbSession
from backoffice.staff.access import SupervisorDep
from core.errors import ApiError

router = APIRouter(prefix="/api/analytics", tags=["analytics"])
StartQuery = Annotated[dt.date | None, Query()]
EndQuery = Annotated[dt.date | None, Query()]
DemoQuery = Annotated[bool, Query()]


def table_json(table: Table) -> dict[str, Any]:
    """A table as JSON: its title, the Chinese column headers and the rows."""
    return {"title": table.title, "columns": table.columns, "rows": table.rows}


@router.get("/report")
def get_report(
    _staff: SupervisorDep,
    session: DbSession,
    start: StartQuery = None,
    end: EndQuery = None,
    demo: DemoQuery = False,
) -> dict[str, Any]:
    """Every table of the period."""
    period = period_of(start, end)
    tables = report(period, session=session, demo=demo)
    return {
        "start": period.first.isoformat(),
        "end": period.last.isoformat(),
        "demo": demo,
        "tables": {name: table_json(table) for name, table in tables.items()},
    }


def _one(
    session: Session, name: str, start: dt.date | None, end: dt.date | None, demo: bool
) -> Table:
    if name not in BUILDERS:
        raise ApiError(404, "unknown_table", catalogue().page("unknown_table"))
    return report(period_of(start, end), session=session, demo=demo)[name]


@router.get("/tables/{name}.csv")
def get_table_csv(
    name: str,
    _staff: SupervisorDep,
    session: DbSession,
    start: StartQuery = None,
    end: EndQuery = None,
    demo: DemoQuery = False,
) -> Response:
    """One table as a CSV file."""
    period = period_of(start, end)
    table = _one(session, name, start, end, demo)
    suffix = "_demo" if demo else ""
    filename = f"analytics_{name}_{period.first}_{period.last}{suffix}.csv"
    return Response(
        table_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/tables/{name}")
def get_table(
    name: str,
    _staff: SupervisorDep,
    session: DbSession,
    start: StartQuery = None,
    end: EndQuery = None,
    demo: DemoQuery = False,
) -> dict[str, Any]:
    """One table as JSON."""
    return table_json(_one(session, name, start, end, demo))
