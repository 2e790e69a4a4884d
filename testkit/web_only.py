"""The web process alone, on a throw-away workdir: for browser tests of back-office pages.

No Rasa and no action server (nothing listens on their ports): the console, the analytics page
and the review inbox only read the databases. The back-office database is migrated and holds the
sample staff; Rasa's tracker database is whatever the caller writes to `tracker_db`. The caller
points `KNOWLEDGE_DIR` and `REVIEW_NLU_DIR` at its own copies through `extra_env`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from backoffice.db import make_engine
from backoffice.records.handoff.seed import load_seed_staff
from backoffice.records.handoff.settings import get_handoff_settings
from backoffice.staff.service import upsert_staff
from core.settings import PROJECT_ROOT
from testkit.databases import migrate
from testkit.stack_basics import free_port


@dataclass(frozen=True)
class WebOnly:
    """A running web process and its databases."""

    url: str
    database_url: str
    tracker_db: Path


def prepare(workdir: Path) -> tuple[str, Path]:
    """Migrate a fresh back-office database with the sample staff; (its URL, the tracker path)."""
    database_url = f"sqlite:///{workdir / 'backoffice.db'}"
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = load_seed_staff(get_handoff_settings().seed_staff_file)
            upsert_staff(session=session, rows=rows)
    finally:
        engine.dispose()
    return database_url, workdir / "rasa_tracker.db"


@contextmanager
def web_only(
    workdir: Path, database_url: str, extra_env: Mapping[str, str] | None = None
) -> Iterator[WebOnly]:
    """Start `uvicorn web.main:app` on a free port; stop it (its process group) afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "PROFILE": "embedded",
        "DATABASE_URL": database_url,
        "RASA_TRACKER_DB": str(workdir / "rasa_tracker.db"),
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}",
        "TELEGRAM_BOT_TOKEN": "",
        "WECHAT_TOKEN": "",
        "REDIS_URL": "",
        "MINZHENG_SECRETS_FILE": str(workdir / "secrets.env"),
        "RATE_LIMIT_PER_IP_PER_MINUTE": "0",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    log = (workdir / "web.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "web.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"web exited: {(workdir / 'web.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("web did not answer /health within 90 s")
            time.sleep(0.3)
        yield WebOnly(url=url, database_url=database_url, tracker_db=workdir / "rasa_tracker.db")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
