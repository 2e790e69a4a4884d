"""A throw-away SQLite database with every migration applied, per test."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import make_engine
from core.settings import PROJECT_ROOT


def migrate(url: str) -> None:
    """Apply every migration to the database at `url` (as `alembic -x url=... upgrade head`)."""
    config = Config(
        str(PROJECT_ROOT / "alembic.ini"), cmd_opts=argparse.Namespace(x=[f"url={url}"])
    )
    config.set_main_option("script_location", str(PROJECT_ROOT / "backoffice" / "migrations"))
    command.upgrade(config, "heads")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'backoffice.db'}"
    migrate(url)
    return url


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with sessionmaker(bind=engine, expire_on_commit=False)() as db_session:
        yield db_session
    engine.dispose()
