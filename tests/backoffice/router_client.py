"""One back-office router under a test client, on the test database.

The records API tests each served their router the same way (a session per request from their
own engine, the project's error handling, the service token); they call these instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import get_session, make_engine
from core.errors import install_error_handling
from tests.service_token import SERVICE_HEADERS


@contextmanager
def sessions_of(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the test database; the engine is disposed afterwards."""
    engine = make_engine(database_url)
    try:
        yield sessionmaker(bind=engine, expire_on_commit=False)
    finally:
        engine.dispose()


def router_app(
    factory: sessionmaker[Session],
    router: APIRouter,
    overrides: Mapping[Callable[..., Any], Callable[..., Any]] | None = None,
) -> FastAPI:
    """`router` alone in an app with the error handling, each request on its own session."""

    def session_override() -> Iterator[Session]:
        with factory() as session:
            yield session

    app = FastAPI()
    install_error_handling(app)
    app.include_router(router)
    app.dependency_overrides[get_session] = session_override
    app.dependency_overrides.update(overrides or {})
    return app


@contextmanager
def router_client(
    factory: sessionmaker[Session],
    router: APIRouter,
    *,
    overrides: Mapping[Callable[..., Any], Callable[..., Any]] | None = None,
    raise_server_exceptions: bool = True,
) -> Iterator[TestClient]:
    """A test client of `router_app`, sending the service token."""
    app = router_app(factory, router, overrides)
    with TestClient(
        app, raise_server_exceptions=raise_server_exceptions, headers=SERVICE_HEADERS
    ) as client:
        yield client
