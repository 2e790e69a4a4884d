"""The action server's two knowledge routes answer what became of what they sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import get_session, make_engine
from backoffice.records.knowledge.router import router
from core.errors import install_error_handling
from tests.service_token import SERVICE_HEADERS


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    engine = make_engine(database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def session_override() -> Iterator[Session]:
        with factory() as session:
            yield session

    app = FastAPI()
    install_error_handling(app)
    app.include_router(router)
    app.dependency_overrides[get_session] = session_override
    with TestClient(app, headers=SERVICE_HEADERS) as test_client:
        yield test_client
    engine.dispose()


def test_feedback_is_recorded(client: TestClient) -> None:
    body = {"conversation_id": "web-1", "article_id": "a", "helpful": True}
    response = client.post("/api/knowledge/feedback", json=body)
    assert (response.status_code, response.json()) == (201, {"status": "recorded"})


@pytest.mark.parametrize(
    ("question", "status"),
    [("殡葬补贴怎么领？", "recorded"), ("<script>alert(1)</script>", "ignored")],
)
def test_a_question_is_recorded_and_noise_ignored(
    client: TestClient, question: str, status: str
) -> None:
    body = {"conversation_id": "web-1", "question": question}
    response = client.post("/api/knowledge/unanswered", json=body)
    assert (response.status_code, response.json()) == (201, {"status": status})
