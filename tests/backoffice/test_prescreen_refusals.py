"""The pre-screen routes' refusals keep their whole answer: status, code and Chinese message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backoffice.records.prescreen import router as prescreen_router
from backoffice.records.prescreen.policy import PolicyFileError
from backoffice.records.prescreen.seed import seed
from tests.backoffice.router_client import router_client, sessions_of

FACTS: dict[str, Any] = {
    "district": "xihu",
    "household_size": 2,
    "monthly_income": "2300",
    "savings": "10000",
    "has_vehicle": False,
    "has_extra_housing": False,
    "circumstances": [],
}


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with sessions_of(database_url) as factory:
        with factory() as session:
            seed(session)
        with router_client(
            factory, prescreen_router.router, raise_server_exceptions=False
        ) as test_client:
            yield test_client


def error(message: str) -> dict[str, Any]:
    return {"error": {"code": "http_error", "message": message}}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"id_number": "12345", "phone": "13800000001"}, "身份证号码格式不正确"),
        ({"id_number": "330106195803120026", "phone": "12345"}, "手机号码格式不正确"),
    ],
)
def test_a_malformed_identifier_is_refused_with_its_message(
    client: TestClient, body: dict[str, str], message: str
) -> None:
    response = client.post("/api/prescreen/applications/lookup", json=body)
    assert (response.status_code, response.json()) == (422, error(message))


def test_an_unknown_district_is_refused_with_its_code(client: TestClient) -> None:
    response = client.post("/api/prescreen", json={"facts": FACTS | {"district": "atlantis"}})
    assert (response.status_code, response.json()) == (422, error("未知的区县代码：atlantis"))


def test_an_unreadable_policy_answers_503(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise PolicyFileError("missing")

    monkeypatch.setattr(prescreen_router, "get_policy", broken)
    response = client.post("/api/prescreen", json={"facts": FACTS})
    assert (response.status_code, response.json()) == (
        503,
        error("救助政策参数暂时无法读取，请稍后再试"),
    )
