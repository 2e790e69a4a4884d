"""A report for a period, from the real stores or the demo stores, and its CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backoffice.analytics.catalogue import catalogue
from backoffice.analytics.demo import demo_stores
from backoffice.analytics.facts import Period, load_facts
from backoffice.analytics.metrics import Table, compute
from backoffice.analytics.tracker import tracker_engine
from backoffice.db import utcnow
from core.errors import ApiError
from core.settings import get_settings
from zhtext.city_time import city_today

MAX_DAYS = 366


def period_of(first: dt.date | None, last: dt.date | None) -> Period:
    """The period asked for; the last `default_days` days (today included) by default.

    Raises:
        ApiError: 422 when the start is after the end or the period is longer than a year.
    """
    end = last or city_today()
    days = int(catalogue().setting("default_days"))
    start = first or end - dt.timedelta(days=days - 1)
    if start > end or (end - start).days >= MAX_DAYS:
        raise ApiError(422, "bad_period", catalogue().page("bad_period"))
    return Period(start, end)


def demo_available() -> bool:
    """Demo figures belong to the embedded (development) profile only."""
    return get_settings().profile == "embedded"


def report(
    period: Period, *, session: Session, demo: bool, now: dt.datetime | None = None
) -> dict[str, Table]:
    """Every table of `period`: the demo database's with `demo`, else `session`'s and Rasa's."""
    if demo:
        if not demo_available():
            raise ApiError(404, "no_demo", catalogue().page("no_demo"))
        stores = demo_stores()
        with stores.sessions() as demo_session:
            return _compute(period, demo_session, stores.tracker, now)
    return _compute(period, session, tracker_engine(), now)


def _compute(
    period: Period, session: Session, tracker: Engine | None, now: dt.datetime | None
) -> dict[str, Table]:
    facts = load_facts(
        session=session, tracker=tracker, period=period, catalogue=catalogue(), now=now or utcnow()
    )
    return compute(facts, catalogue())


def table_csv(table: Table) -> str:
    """The table as CSV with Chinese headers (a byte-order mark, so Excel reads it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns.values())
    for row in table.rows:
        writer.writerow(["" if row.get(key) is None else row.get(key) for key in table.columns])
    return "\ufeff" + buffer.getvalue()
