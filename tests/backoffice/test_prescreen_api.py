"""The pre-screen API: logged pre-screens, Chinese 4xx errors, and the two-key status lookup."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.records.prescreen.facts import HouseholdFacts
from backoffice.records.prescreen.models import AssistanceApplication, PrescreenCheck
from backoffice.records.prescreen.policy import get_policy
from backoffice.records.prescreen.router import router
from backoffice.records.prescreen.seed import seed
from backoffice.records.prescreen.service import REPEAT_WINDOW, run_prescreen
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
SEEDED_ID = "330106195803120026"
SEEDED_PHONE = "13800000001"


@pytest.fixture
def factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    with sessions_of(database_url) as sessions:
        yield sessions


@pytest.fixture
def client(factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with factory() as session:
        seed(session)
    with router_client(factory, router, raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_prescreen_is_answered_per_programme_and_logged(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    response = client.post(
        "/api/prescreen",
        json={"facts": FACTS, "as_of": "2026-11-28", "conversation_id": "wechat-openid-123"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [p["programme"] for p in body["programmes"]] == ["dibao", "dibian", "tekun", "temporary"]
    dibao = body["programmes"][0]
    assert dibao["outcome"] == "likely"
    income = dibao["reasons"][0]
    assert income["rule"] == "dibao.income"
    assert income["figures"]["per_capita_income_yuan"] == "1150"
    assert income["figures"]["standard_yuan"] == "1167"
    assert income["policy_entry"] == "dibao-2025-sample"
    assert "dibao-2025-sample" in body["policy_version"]
    assert body["application"]["documents"]
    assert body["reference"].startswith("YS-")

    with factory() as session:
        [check] = session.scalars(select(PrescreenCheck)).all()
    assert check.reference == body["reference"]
    assert check.policy_version == body["policy_version"]
    assert check.inputs["monthly_income"] == "2300"
    assert check.result[0]["outcome"] == "likely"
    # The channel's user id is not stored, only its digest.
    assert check.conversation_hash == hashlib.sha256(b"wechat-openid-123").hexdigest()
    assert "wechat-openid-123" not in str(check.inputs) + str(check.result)

    logged = client.get(f"/api/prescreen/checks/{check.reference}")
    assert logged.status_code == 200
    assert logged.json()["result"][0]["programme"] == "dibao"


def test_the_date_asked_about_picks_the_policy(client: TestClient) -> None:
    old = client.post("/api/prescreen", json={"facts": FACTS, "as_of": "2017-11-01"}).json()
    new = client.post("/api/prescreen", json={"facts": FACTS, "as_of": "2026-11-28"}).json()
    assert old["programmes"][0]["outcome"] == "unlikely"  # 1150 ≥ 917
    assert new["programmes"][0]["outcome"] == "likely"  # 1150 < 1167
    assert "dibao-2017-11" in old["policy_version"]


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"facts": FACTS | {"district": "atlantis"}}, 422, "区县"),
        ({"facts": FACTS | {"household_size": 0}}, 422, "household_size"),
        ({"facts": FACTS | {"monthly_income": "-5"}}, 422, "monthly_income"),
        ({"facts": FACTS | {"circumstances": ["rich"]}}, 422, "circumstances"),
        ({"facts": FACTS, "extra": 1}, 422, "extra"),
    ],
)
def test_bad_facts_get_a_chinese_4xx(
    client: TestClient, body: dict[str, Any], status: int, fragment: str
) -> None:
    response = client.post("/api/prescreen", json=body)
    assert response.status_code == status
    assert fragment in response.json()["error"]["message"]


def test_an_unknown_check_is_404(client: TestClient) -> None:
    response = client.get("/api/prescreen/checks/YS-20260101-XXXXXX")
    assert response.status_code == 404
    assert "预审" in response.json()["error"]["message"]


def test_status_lookup_needs_both_the_id_number_and_the_phone(client: TestClient) -> None:
    found = client.post(
        "/api/prescreen/applications/lookup",
        json={"id_number": SEEDED_ID, "phone": "138 0000 0001"},
    )
    assert found.status_code == 200, found.text
    assert found.json()["stage"] == "investigating"
    assert found.json()["reference"] == "SQ-2026-000101"

    wrong_phone = client.post(
        "/api/prescreen/applications/lookup",
        json={"id_number": SEEDED_ID, "phone": "13800000002"},
    )
    assert wrong_phone.status_code == 404
    only_id = client.post("/api/prescreen/applications/lookup", json={"id_number": SEEDED_ID})
    assert only_id.status_code == 422
    assert "phone" in only_id.json()["error"]["message"]
    only_phone = client.post("/api/prescreen/applications/lookup", json={"phone": SEEDED_PHONE})
    assert only_phone.status_code == 422


@pytest.mark.parametrize(
    ("id_number", "phone", "fragment"),
    [
        ("330106195803120027", SEEDED_PHONE, "身份证"),
        ("12345", SEEDED_PHONE, "身份证"),
        (SEEDED_ID, "12345", "手机"),
    ],
)
def test_malformed_identifiers_are_422(
    client: TestClient, id_number: str, phone: str, fragment: str
) -> None:
    response = client.post(
        "/api/prescreen/applications/lookup", json={"id_number": id_number, "phone": phone}
    )
    assert response.status_code == 422
    assert fragment in response.json()["error"]["message"]


def test_seed_is_idempotent_and_stores_no_identifier_in_clear(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session:
        seed(session)
        seed(session)
        applications = session.scalars(select(AssistanceApplication)).all()
    assert len(applications) == 5
    assert {a.stage for a in applications} == {
        "accepted",
        "investigating",
        "publicising",
        "approved",
        "rejected",
    }
    for application in applications:
        stored = " ".join(str(v) for v in vars(application).values())
        assert SEEDED_ID not in stored
        assert SEEDED_PHONE not in stored
        assert "*" in application.id_number_masked


def test_status_lookup_stops_after_five_wrong_phones_for_one_id_number(
    client: TestClient,
) -> None:
    for attempt in range(5):
        wrong = client.post(
            "/api/prescreen/applications/lookup",
            json={"id_number": SEEDED_ID, "phone": f"1390000000{attempt}"},
        )
        assert wrong.status_code == 404
    # Now even the right phone is refused for this ID number (guessing stops here) ...
    right = client.post(
        "/api/prescreen/applications/lookup", json={"id_number": SEEDED_ID, "phone": SEEDED_PHONE}
    )
    assert right.status_code == 429
    assert right.json()["error"]["code"] == "too_many_attempts"
    assert "一小时后" in right.json()["error"]["message"]


def test_the_same_answers_sent_again_are_the_same_check(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    # A turn whose reply was lost (a process restarted after the check was stored) is sent
    # again: the citizen gets the stored check, not a second one.
    body = {"facts": FACTS, "as_of": "2026-11-28", "conversation_id": "web-again"}
    first = client.post("/api/prescreen", json=body).json()
    again = client.post("/api/prescreen", json=body).json()
    assert again["reference"] == first["reference"]
    assert again["programmes"] == first["programmes"]
    changed = client.post(
        "/api/prescreen", json={**body, "facts": {**FACTS, "monthly_income": "2400"}}
    ).json()
    anonymous = [
        client.post("/api/prescreen", json={"facts": FACTS, "as_of": "2026-11-28"}).json()
        for _ in range(2)
    ]
    assert changed["reference"] != first["reference"]
    assert anonymous[0]["reference"] != anonymous[1]["reference"]
    with factory() as session:
        assert len(session.scalars(select(PrescreenCheck)).all()) == 4


def test_the_same_answers_after_the_repeat_window_are_a_new_check(
    factory: sessionmaker[Session],
) -> None:
    facts = HouseholdFacts.model_validate(FACTS)
    policy = get_policy()
    first_time = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    with factory() as session:
        runs = [
            run_prescreen(
                session=session,
                policy=policy,
                facts=facts,
                as_of=date(2026, 11, 28),
                conversation_id="web-later",
                now=at,
            )
            for at in (first_time, first_time + REPEAT_WINDOW + timedelta(minutes=1))
        ]
    assert runs[0].check.reference != runs[1].check.reference
