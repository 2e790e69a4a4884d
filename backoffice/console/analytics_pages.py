"""The supervisor's analytics page (`/console/analytics`): figures, inline-SVG charts, CSV links.

Every label comes from backoffice/analytics/catalogue.yml; the figures from
backoffice/analytics/service.py, the same as `/api/analytics`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from backoffice.analytics import charts
from backoffice.analytics.catalogue import catalogue
from backoffice.analytics.service import demo_available, period_of, report
from backoffice.console.routes import StaffPage, render
from backoffice.db import DbSession
from backoffice.staff.access import require_staff_page
from backoffice.staff.models import SUPERVISOR
from core.errors import ApiError

router = APIRouter(
    prefix="/console", include_in_schema=False, dependencies=[Depends(require_staff_page)]
)
TREND_KEYS = ("conversations", "contained", "handoffs")


def shown(value: object, key: str) -> str:
    """A figure as the page shows it: rates in per cent, durations in minutes and seconds."""
    if value is None:
        return catalogue().page("none")
    if key.endswith("_rate") and isinstance(value, float | int):
        return f"{value * 100:.1f}%"
    if key.endswith("_median") and isinstance(value, int):
        return catalogue().page("seconds").format(m=value // 60, s=value % 60)
    return str(value)


@router.get("/analytics", response_class=HTMLResponse)
def get_analytics_page(
    staff: StaffPage,
    session: DbSession,
    start: Annotated[dt.date | None, Query()] = None,
    end: Annotated[dt.date | None, Query()] = None,
    demo: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """The analytics page (403 page for agents)."""
    if staff.role != SUPERVISOR:
        return render("forbidden.html", staff=staff, status_code=403)
    error = None
    try:
        period = period_of(start, end)
    except ApiError as refused:
        error, period = refused.message, period_of(None, None)
    demo = demo and demo_available()
    tables = report(period, session=session, demo=demo)
    query = {"start": period.first.isoformat(), "end": period.last.isoformat()}
    if demo:
        query["demo"] = "true"
    cat = catalogue()
    return render(
        "analytics.html",
        staff=staff,
        a=cat.page,
        metric=cat.metric,
        shown=shown,
        period=period,
        demo=demo,
        demo_available=demo_available(),
        error=error,
        tables=tables,
        query=urlencode(query),
        trend=charts.daily_trend(tables["daily"], TREND_KEYS),
        trend_keys=TREND_KEYS,
        funnel=charts.funnel(
            tables["services"],
            started=cat.page("legend_starts"),
            completed=cat.page("legend_completions"),
        ),
        reasons=charts.reasons(tables["handoff_reasons"]),
        chart_width=charts.WIDTH,
        chart_height=charts.HEIGHT,
    )
