"""The action server's two knowledge routes answer what became of what they sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from backoffice.records.knowledge.router import router
from tests.backoffice.router_client import router_client, sessions_of


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with sessions_of(database_url) as factory, router_client(factory, router) as test_client:
        yield test_client


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
