"""Many requests at the same moment, each with its own database session (race tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
WAIT_SECONDS = 120


def at_once(factory: sessionmaker[Session], jobs: Sequence[Callable[[Session], T]]) -> list[T]:
    """Run every job in its own thread and session, all released together; results in order.

    An exception a job raises is raised here (a lost thread would otherwise look like a pass).
    """
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[Session], T]) -> T:
        with factory() as session:
            start.wait()
            return job(session)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        return [future.result(timeout=WAIT_SECONDS) for future in futures]
