"""The knowledge preview and search need an editor login (or the editor token)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.settings import get_settings
from testkit.offline_web import offline_web_client

EDITOR_TOKEN = "editor-" + "Lq3Vb8Nw2Xc7Zs5Ka1Jd9Hf4"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setattr(get_settings(), "editor_token", EDITOR_TOKEN)
    with offline_web_client(tmp_path) as test_client:
        yield test_client


def test_preview_and_search_are_closed_without_a_login(client: TestClient) -> None:
    page = client.get("/knowledge/preview", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/knowledge/login"
    search = client.get("/api/knowledge/search", params={"q": "低保"})
    assert search.status_code == 401
    assert "编辑" in search.json()["error"]["message"]


def test_a_wrong_token_is_refused_in_chinese(client: TestClient) -> None:
    response = client.post("/knowledge/login", data={"token": "guess"})
    assert response.status_code == 401
    assert "编辑令牌不正确" in response.text
    assert client.get("/knowledge/preview", follow_redirects=False).status_code == 303


def test_the_editor_logs_in_once_then_previews(client: TestClient) -> None:
    response = client.post("/knowledge/login", data={"token": EDITOR_TOKEN}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/knowledge/preview").status_code == 200
    assert client.get("/api/knowledge/search").status_code == 422, "logged in: q is missing"


def test_the_bearer_token_opens_the_search(client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    # Past the login check, the missing question is what is refused.
    assert client.get("/api/knowledge/search", headers=headers).status_code == 422
    assert client.get("/api/knowledge/search").status_code == 401
