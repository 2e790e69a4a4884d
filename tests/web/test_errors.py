"""The web app answers bad requests with Chinese JSON errors and 503 when the assistant is down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from testkit.stack import free_port
from web.main import create_app


@pytest.fixture
def client(tmp_path) -> Iterator[TestClient]:
    # Nothing listens on these ports: the assistant is "down".
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        action_server_url=f"http://127.0.0.1:{free_port()}",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def test_malformed_json_is_400_in_chinese(client: TestClient) -> None:
    response = client.post(
        "/api/chat", content=b'{"sender": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert "JSON" in response.json()["error"]["message"]


def test_missing_and_invalid_fields_are_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/api/chat", json={"sender": "bad id!", "message": "你好"})
    assert response.status_code == 422
    assert "sender" in response.json()["error"]["message"]


def test_oversized_body_is_413(client: TestClient) -> None:
    response = client.post("/api/chat", json={"sender": "abcdefgh", "message": "好" * 40_000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_unknown_path_is_404_json(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "您访问的地址不存在。"


def test_assistant_down_is_503_with_hotline(client: TestClient) -> None:
    response = client.post("/api/chat", json={"sender": "abcdefgh", "message": "你好"})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert error["hotline"] == "12345"
    assert "暂时无法服务" in error["message"]


def test_health_reports_unavailable(client: TestClient) -> None:
    assert client.get("/api/chat/health").json()["available"] is False


def test_index_page_is_served_in_chinese(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh' in response.text
