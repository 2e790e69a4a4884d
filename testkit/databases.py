"""Throw-away databases for tests: a SQLite file, or a fresh PostgreSQL database.

PostgreSQL comes from `TEST_POSTGRES_URL` (default: the local server with trust auth). When it
cannot be reached the test is skipped, except under CI (`CI` set), where it fails: the production
profile's database must really be tested there.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import uuid
from collections.abc import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from core.settings import PROJECT_ROOT
from testkit.ci import server_missing

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def migrate(url: str) -> None:
    """Apply every migration branch to `url` (as `alembic -x url=... upgrade heads`)."""
    config = Config(
        str(PROJECT_ROOT / "alembic.ini"), cmd_opts=argparse.Namespace(x=[f"url={url}"])
    )
    config.set_main_option("script_location", str(PROJECT_ROOT / "backoffice" / "migrations"))
    command.upgrade(config, "heads")


def postgres_admin_url() -> str:
    """The PostgreSQL server used for tests (a database we may create databases from)."""
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_unavailable(reason: str) -> None:
    """Fail under CI, skip elsewhere."""
    server_missing(f"PostgreSQL is not reachable at {postgres_admin_url()}: {reason}")


@contextlib.contextmanager
def fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    """Create a database (empty, or a copy of `template`), yield its URL, then drop it."""
    admin_url = make_url(postgres_admin_url())
    name = f"mz_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    except OperationalError as error:
        admin.dispose()
        postgres_unavailable(str(error).splitlines()[0])
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
