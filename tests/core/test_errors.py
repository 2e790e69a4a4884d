"""The web app answers bad requests with Chinese JSON errors and 503 when the assistant is down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from testkit.offline_web import offline_web_client


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with offline_web_client(tmp_path) as test_client:
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


def test_deep_nesting_is_refused_before_parsing(client: TestClient) -> None:
    depth = 1000
    body = b'{"sender":"abcdefgh","message":"hi","x":' + b"[" * depth + b"]" * depth + b"}"
    for path in ("/api/chat", "/api/handoff/login", "/api/marriage/bookings"):
        response = client.post(path, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400, path
        assert response.json()["error"]["code"] == "body_too_deep"
        assert "嵌套" in response.json()["error"]["message"]


def test_invalid_utf8_is_refused_in_chinese(client: TestClient) -> None:
    for path in ("/api/chat", "/api/handoff/login", "/console/login"):
        response = client.post(
            path, content=b'{"message": "\xff\xfe"}', headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, path
        assert response.json()["error"]["code"] == "invalid_encoding"


def test_a_refused_cors_preflight_is_chinese_json(client: TestClient) -> None:
    response = client.options(
        "/api/chat",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cors_refused"
    assert "跨站" in response.json()["error"]["message"]


def test_library_errors_in_english_become_chinese(client: TestClient) -> None:
    # A form body FastAPI cannot parse as JSON gives its own English 400 detail.
    response = client.post(
        "/api/handoff/login", content=b"\x00\x01", headers={"content-type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert "请求" in response.json()["error"]["message"]
