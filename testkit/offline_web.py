"""The web app in-process with the assistant "down": nothing listens on its Rasa or action port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from core.settings import Settings
from testkit.stack_basics import free_port
from web.main import create_app


@contextmanager
def offline_web_client(folder: Path) -> Iterator[TestClient]:
    """A test client of the web app on a fresh SQLite file in ``folder``.

    Server errors come back as responses (500), not exceptions, so a test sees what a citizen would.
    """
    settings = Settings(
        database_url=f"sqlite:///{folder / 'db.sqlite'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        action_server_url=f"http://127.0.0.1:{free_port()}",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client
