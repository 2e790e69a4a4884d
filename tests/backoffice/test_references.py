"""Reference numbers: concurrent bookings never share one, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import make_engine
from backoffice.records.eldercare.models import EldercareReferenceCounter
from backoffice.records.marriage.models import MarriageReferenceCounter
from backoffice.references import format_reference, next_number

DAY = dt.date(2026, 12, 7)
WRITERS = 8
# Each writer keeps its transaction open this long after taking its number: the transactions
# overlap, as two citizens booking the same day at once do.
HOLD_SECONDS = 0.05


def test_concurrent_transactions_take_distinct_numbers(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = sessionmaker(bind=engine)
    start = threading.Barrier(WRITERS)

    def book() -> int:
        start.wait()
        with sessions() as session:
            number = next_number(session, EldercareReferenceCounter, day=DAY)
            time.sleep(HOLD_SECONDS)
            session.commit()
            return number

    with ThreadPoolExecutor(WRITERS) as pool:
        numbers = list(pool.map(lambda _: book(), range(WRITERS)))
    engine.dispose()
    assert sorted(numbers) == list(range(1, WRITERS + 1))


def test_a_rolled_back_transaction_gives_its_number_back(session: Session) -> None:
    assert next_number(session, MarriageReferenceCounter, day=DAY) == 1
    session.rollback()
    assert next_number(session, MarriageReferenceCounter, day=DAY) == 1
    assert next_number(session, MarriageReferenceCounter, day=DAY + dt.timedelta(days=1)) == 1
    assert next_number(session, MarriageReferenceCounter, day=DAY) == 2


def test_the_migration_reads_the_number_where_the_reference_keeps_it(session: Session) -> None:
    # eldercare_0002 starts each day's counter from the highest number of that day's visits.
    reference = format_reference("YL", DAY, 42)
    number = session.scalar(text("SELECT CAST(SUBSTR(:ref, 13) AS INTEGER)"), {"ref": reference})
    assert (reference, number) == ("YL-20261207-0042", 42)
