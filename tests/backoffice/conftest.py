"""Every back-office test runs on a throw-away SQLite file AND a fresh PostgreSQL database.

Migrations run once per session into a template; each test gets a copy (a file copy for SQLite,
`CREATE DATABASE ... TEMPLATE` for PostgreSQL), which is much faster than migrating every time.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import make_engine
from backoffice.lookup_guard import get_lookup_guard
from testkit.databases import fresh_postgres_database, migrate


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "backoffice.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    with fresh_postgres_database() as url:
        migrate(url)
        yield str(make_url(url).database)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "backoffice.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    with fresh_postgres_database(template=request.getfixturevalue("postgres_template")) as url:
        yield url


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with sessionmaker(bind=engine, expire_on_commit=False)() as db_session:
        yield db_session
    engine.dispose()


@pytest.fixture(autouse=True)
def fresh_lookup_guard() -> Iterator[None]:
    """Failed look-ups of one test do not count against the next (backoffice/lookup_guard.py)."""
    get_lookup_guard.cache_clear()
    yield
    get_lookup_guard.cache_clear()
