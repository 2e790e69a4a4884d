"""Security of the web app: service token, headers, CORS and the chat rate limit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backoffice import service_auth
from core.settings import Settings
from testkit.stack_basics import free_port
from web.main import create_app
from web.rate_limit import RedisWindowLimiter, SlidingWindowLimiter
from web.security import ChatRateLimitMiddleware, install_security, security_headers

TOKEN = "svc-" + "k3Jf9QzP1xVb7NwL0aRt5YuC2eHs8MdG"


def make_settings(tmp_path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "rasa_url": f"http://127.0.0.1:{free_port()}",
        "action_server_url": f"http://127.0.0.1:{free_port()}",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def app_with_token(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, service_token=TOKEN)
    monkeypatch.setattr(service_auth, "get_settings", lambda: settings)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/districts"),
        ("POST", "/api/marriage/bookings/lookup"),
        ("POST", "/api/prescreen/applications/lookup"),
        ("POST", "/api/eldercare/visits"),
        ("POST", "/api/donation/pledges/lookup"),
        ("POST", "/api/handoff/bot/tickets"),
        ("GET", "/api/handoff/bot/availability"),
        ("POST", "/api/knowledge/unanswered"),
    ],
)
def test_records_api_refuses_calls_without_the_service_token(
    app_with_token: TestClient, method: str, path: str
) -> None:
    response = app_with_token.request(method, path, json={})
    assert response.status_code == 401
    error = response.json()["error"]
    assert "服务令牌" in error["message"]
    wrong = app_with_token.request(
        method, path, json={}, headers={"Authorization": "Bearer not-the-token"}
    )
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/api/marriage/bookings", "/api/donation/pledges", "/api/eldercare/visits",
     "/api/handoff/bot/tickets"],
)  # fmt: skip
def test_records_api_is_closed_when_no_service_token_is_set(
    tmp_path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    settings = make_settings(tmp_path, service_token="")
    monkeypatch.setattr(service_auth, "get_settings", lambda: settings)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        anonymous = client.post(path, json={})
        empty_bearer = client.post(path, json={}, headers={"Authorization": "Bearer "})
    assert anonymous.status_code == empty_bearer.status_code == 401
    assert "服务令牌" in anonymous.json()["error"]["message"]


def test_records_api_accepts_the_service_token(app_with_token: TestClient) -> None:
    # With the token the call reaches validation (422), not the 401 of the token check.
    response = app_with_token.post(
        "/api/knowledge/unanswered", json={}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 422


def test_public_routes_do_not_need_the_service_token(app_with_token: TestClient) -> None:
    assert app_with_token.get("/api/chat/health").status_code == 200
    assert app_with_token.get("/").status_code == 200
    # The signed payment callback checks its own signature, not the service token.
    assert app_with_token.post("/api/donation/payments/confirm", content=b"{}").status_code != 401


def test_only_a_bearer_token_with_the_exact_value_matches() -> None:
    assert service_auth.service_token_matches("Bearer abc", "abc")
    assert not service_auth.service_token_matches("Basic abc", "abc")
    assert not service_auth.service_token_matches(None, "abc")


def test_pages_and_errors_carry_security_headers(tmp_path) -> None:
    with TestClient(create_app(make_settings(tmp_path)), raise_server_exceptions=False) as client:
        page = client.get("/")
        missing = client.get("/no/such/page")
    for response in (page, missing):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in response.headers["permissions-policy"]
        assert "strict-transport-security" not in response.headers


def test_the_site_icon_is_served_safely(tmp_path) -> None:
    with TestClient(create_app(make_settings(tmp_path))) as client:
        icon = client.get("/favicon.ico")
        page = client.get("/")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00", "an ICO file"
    assert icon.headers["x-content-type-options"] == "nosniff"
    assert "max-age" in icon.headers["cache-control"]
    assert '<link rel="icon" href="/favicon.ico"' in page.text


def test_hsts_only_in_production_and_relaxed_csp_only_on_the_preview() -> None:
    assert "Strict-Transport-Security" in security_headers("/", production=True)
    assert "Strict-Transport-Security" not in security_headers("/", production=False)
    assert (
        "unsafe-inline"
        in security_headers("/knowledge/preview", production=False)["Content-Security-Policy"]
    )
    assert (
        "unsafe-inline"
        not in security_headers("/knowledge/previewx", production=False)["Content-Security-Policy"]
    )


def test_cors_allows_only_configured_origins(tmp_path) -> None:
    settings = make_settings(tmp_path, cors_origins="https://www.hangzhou.gov.cn/, https://a.b")
    preflight = {"Access-Control-Request-Method": "POST"}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        allowed = client.options(
            "/api/chat", headers={**preflight, "Origin": "https://www.hangzhou.gov.cn"}
        )
        refused = client.options(
            "/api/chat", headers={**preflight, "Origin": "https://evil.example"}
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://www.hangzhou.gov.cn"
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_cors_allows_nothing_when_no_origin_is_configured(tmp_path) -> None:
    with TestClient(create_app(make_settings(tmp_path)), raise_server_exceptions=False) as client:
        response = client.get("/api/chat/health", headers={"Origin": "https://www.hangzhou.gov.cn"})
    assert "access-control-allow-origin" not in response.headers


def rate_limited_app(*, per_sender: int, per_ip: int) -> FastAPI:
    app = FastAPI()

    @app.post("/api/chat")
    async def chat(body: dict[str, str]) -> dict[str, str]:
        return {"echo": body["message"]}

    app.add_middleware(
        ChatRateLimitMiddleware,
        limiter=SlidingWindowLimiter(),
        per_sender=per_sender,
        per_ip=per_ip,
    )
    return app


def test_chat_messages_over_the_sender_limit_get_429_in_chinese() -> None:
    client = TestClient(rate_limited_app(per_sender=3, per_ip=100))
    for index in range(3):
        response = client.post("/api/chat", json={"sender": "citizen-aaaa", "message": str(index)})
        assert response.json() == {"echo": str(index)}  # the body reaches the route intact
    refused = client.post("/api/chat", json={"sender": "citizen-aaaa", "message": "again"})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "频繁" in refused.json()["error"]["message"]
    assert refused.headers["retry-after"] == "60"
    # Another sender from the same address still gets through.
    other = client.post("/api/chat", json={"sender": "citizen-bbbb", "message": "hi"})
    assert other.status_code == 200


def test_chat_messages_over_the_ip_limit_get_429() -> None:
    client = TestClient(rate_limited_app(per_sender=100, per_ip=2))
    codes = [
        client.post("/api/chat", json={"sender": f"citizen-{n:04d}", "message": "hi"}).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


def test_the_web_app_limits_chat_messages(tmp_path) -> None:
    settings = make_settings(tmp_path, rate_limit_per_sender_per_minute=1)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        first = client.post("/api/chat", json={"sender": "citizen-cccc", "message": "你好"})
        second = client.post("/api/chat", json={"sender": "citizen-cccc", "message": "你好"})
    assert first.status_code == 503  # nothing listens: the assistant is "down"
    assert second.status_code == 429
    assert "content-security-policy" in second.headers


async def test_sliding_window_forgets_calls_older_than_a_minute() -> None:
    now = [1000.0]
    limiter = SlidingWindowLimiter(clock=lambda: now[0])
    assert await limiter.allow("k", 2)
    now[0] += 30
    assert await limiter.allow("k", 2)
    assert not await limiter.allow("k", 2)
    now[0] += 31  # the first call left the window
    assert await limiter.allow("k", 2)
    assert not await limiter.allow("k", 2)


async def test_redis_limiter_is_shared_between_instances() -> None:
    prefix = f"test:ratelimit:{uuid.uuid4().hex}:"
    first = RedisWindowLimiter.from_url("redis://127.0.0.1:6379/0", prefix=prefix)
    second = RedisWindowLimiter.from_url("redis://127.0.0.1:6379/0", prefix=prefix)
    try:
        assert await first.allow("sender:x", 2)
        assert await second.allow("sender:x", 2)
        assert not await first.allow("sender:x", 2)
        assert not await second.allow("sender:x", 2)
        assert await second.allow("sender:y", 2)
    finally:
        await first.aclose()
        await second.aclose()


async def test_redis_limiter_lets_calls_through_when_redis_is_down() -> None:
    limiter = RedisWindowLimiter.from_url(f"redis://127.0.0.1:{free_port()}/0")
    try:
        assert await limiter.allow("sender:x", 1)
        assert await limiter.allow("sender:x", 1)
    finally:
        await limiter.aclose()


def test_install_security_uses_redis_when_configured(tmp_path) -> None:
    app = FastAPI()
    limiter = install_security(app, make_settings(tmp_path, redis_url="redis://127.0.0.1:6379/0"))
    assert isinstance(limiter, RedisWindowLimiter)
