"""The donation HTTP API: JSON errors in Chinese, lookup needs both keys, signed confirmations."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from backoffice.records.donation.auth import sign
from backoffice.records.donation.router import router
from backoffice.records.donation.seed import seed
from backoffice.records.donation.settings import (
    DonationSettings,
    get_donation_settings,
    usable_secret,
)
from tests.backoffice.router_client import router_client, sessions_of

SECRET = "k3J9x-Qp7rT2mW8vZ4nB6yH1cL5dF0gS"
PHONE = "13812345678"
PLEDGE = {
    "project_code": "edu-lunch-2026",
    "amount": "200",
    "anonymous": False,
    "donor_name": "张三",
    "receipt_wanted": True,
    "receipt_kind": "company",
    "receipt_title": "阿里巴巴（中国）有限公司",
    "receipt_tax_id": "91330100716105852F",
    "contact_phone": PHONE,
}


@pytest.fixture
def secret_setting() -> dict[str, str | None]:
    return {"secret": SECRET}


@pytest.fixture
def client(database_url: str, secret_setting: dict[str, str | None]) -> Iterator[TestClient]:
    def settings_override() -> DonationSettings:
        value = secret_setting["secret"]
        return DonationSettings(payment_secret=SecretStr(value) if value is not None else None)

    with sessions_of(database_url) as factory:
        with factory() as session:
            seed(session)
        with router_client(
            factory,
            router,
            overrides={get_donation_settings: settings_override},
            raise_server_exceptions=False,
        ) as test_client:
            yield test_client


def signed_post(
    client: TestClient,
    path: str,
    payload: dict[str, object],
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
):
    body = json.dumps(payload).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    headers = {
        "content-type": "application/json",
        "x-donation-timestamp": stamp,
        "x-donation-signature": sign(secret.encode(), stamp, body),
    }
    return client.post(path, content=body, headers=headers)


def make_pledge(client: TestClient, **overrides: object) -> dict[str, object]:
    response = client.post("/api/donation/pledges", json={**PLEDGE, **overrides})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_projects_themes_policy(client: TestClient) -> None:
    projects = client.get("/api/donation/projects", params={"theme": "elderly"}).json()
    assert [p["code"] for p in projects] == ["elder-meal-2026"]
    assert projects[0]["progress_percent"] == 32
    assert projects[0]["theme_name"] == "助老"
    themes = {t["code"]: t["name"] for t in client.get("/api/donation/themes").json()}
    assert themes["medical"] == "医疗救助"
    policy = client.get("/api/donation/policy").json()
    assert policy["minimum"] == "1"
    assert policy["staff_confirmation_above"] == "50000"
    missing = client.get("/api/donation/projects/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "project_not_found"


def test_pledge_then_lookup_with_both_keys(client: TestClient) -> None:
    created = make_pledge(client)
    assert str(created["reference"]).startswith("CS-")
    assert "验证码" in str(created["never_ask"])
    found = client.post(
        "/api/donation/pledges/lookup",
        json={"reference": created["reference"], "contact_phone": PHONE},
    )
    assert found.status_code == 200
    body = found.json()
    assert body["receipt_tax_id_masked"] == "9133**********852F"
    assert "91330100716105852F" not in found.text
    assert PHONE not in found.text
    only_reference = client.post(
        "/api/donation/pledges/lookup", json={"reference": created["reference"]}
    )
    assert only_reference.status_code == 422
    wrong_phone = client.post(
        "/api/donation/pledges/lookup",
        json={"reference": created["reference"], "contact_phone": "13900000000"},
    )
    assert wrong_phone.status_code == 404
    assert "没有找到" in wrong_phone.json()["error"]["message"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"amount": "0.5"}, "amount_too_small"),
        ({"amount": "60000"}, "amount_needs_staff"),
        ({"receipt_tax_id": "91330100716105852G"}, "receipt_credit_code_invalid"),
        ({"receipt_kind": "person", "receipt_tax_id": "330106199001011249"}, "receipt_id_invalid"),
        ({"contact_phone": "110"}, "phone_invalid"),
    ],
)
def test_invalid_pledges_get_chinese_422(
    client: TestClient, overrides: dict[str, object], code: str
) -> None:
    response = client.post("/api/donation/pledges", json={**PLEDGE, **overrides})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_malformed_amount_is_a_422_not_a_500(client: TestClient) -> None:
    for amount in ["abc", "NaN", "1e400", "-5"]:
        response = client.post("/api/donation/pledges", json={**PLEDGE, "amount": amount})
        assert response.status_code == 422, (amount, response.text)


def test_signed_confirmation_is_idempotent(client: TestClient) -> None:
    created = make_pledge(client)
    payload = {"reference": created["reference"], "amount": "200.00", "transaction_id": "WX-1"}
    first = signed_post(client, "/api/donation/payments/confirm", payload)
    assert first.status_code == 200, first.text
    assert first.json()["already_confirmed"] is False
    second = signed_post(client, "/api/donation/payments/confirm", payload)
    assert second.status_code == 200
    assert second.json()["already_confirmed"] is True
    assert second.json()["project_raised"] == first.json()["project_raised"]
    status = client.post(
        "/api/donation/pledges/lookup",
        json={"reference": created["reference"], "contact_phone": PHONE},
    ).json()["status"]
    assert status == "paid"
    receipt = signed_post(client, f"/api/donation/pledges/{created['reference']}/receipt", {})
    assert receipt.status_code == 200
    assert receipt.json()["status"] == "receipt_issued"


def test_confirmation_needs_a_valid_signature(client: TestClient) -> None:
    created = make_pledge(client)
    payload = {"reference": created["reference"], "amount": "200", "transaction_id": "WX-2"}
    unsigned = client.post("/api/donation/payments/confirm", json=payload)
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["code"] == "signature_missing"
    forged = signed_post(
        client, "/api/donation/payments/confirm", payload, secret="x" * 40 + "another-key"
    )
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "signature_invalid"
    stale = signed_post(
        client, "/api/donation/payments/confirm", payload, timestamp=int(time.time()) - 3600
    )
    assert stale.json()["error"]["code"] == "signature_expired"
    # A signed body that is changed afterwards does not verify.
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()))
    tampered = client.post(
        "/api/donation/payments/confirm",
        content=body.replace(b"200", b"2"),
        headers={
            "content-type": "application/json",
            "x-donation-timestamp": stamp,
            "x-donation-signature": sign(SECRET.encode(), stamp, body),
        },
    )
    assert tampered.status_code == 401
    # Nothing was confirmed.
    lookup = client.post(
        "/api/donation/pledges/lookup",
        json={"reference": created["reference"], "contact_phone": PHONE},
    )
    assert lookup.json()["status"] == "pending"


def test_signed_but_malformed_body_is_422(client: TestClient) -> None:
    response = signed_post(client, "/api/donation/payments/confirm", {"reference": "CS-1"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(
    "placeholder",
    [
        None,
        "",
        "changeme",
        "secret",
        "x" * 64,
        "please-change-this-secret-before-production",
        "your-secret-here-0123456789abcdefghij",
    ],
)
def test_placeholder_secrets_disable_the_endpoint(
    client: TestClient, secret_setting: dict[str, str | None], placeholder: str | None
) -> None:
    created = make_pledge(client)
    secret_setting["secret"] = placeholder
    payload = {"reference": created["reference"], "amount": "200", "transaction_id": "WX-3"}
    response = signed_post(
        client, "/api/donation/payments/confirm", payload, secret=placeholder or "none"
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "payment_not_configured"


@pytest.mark.parametrize(
    "path", ["/api/donation/payments/confirm", "/api/donation/pledges/{reference}/receipt"]
)
def test_the_signed_routes_document_their_refusals(client: TestClient, path: str) -> None:
    documented = client.app.openapi()["paths"][path]["post"]["responses"]  # type: ignore[attr-defined]
    assert {"200", "401", "503"} <= set(documented)
    assert "payment_not_configured" in documented["503"]["description"]


def test_usable_secret() -> None:
    assert usable_secret(SecretStr(SECRET)) == SECRET.encode()
    assert usable_secret(None) is None
    assert usable_secret(SecretStr("short-but-random-9Xq")) is None


def test_goods_api(client: TestClient) -> None:
    info = client.get("/api/donation/goods", params={"category": "aids"}).json()
    assert {p["code"] for p in info["points"]} == {"shangcheng-hub", "binjiang-hub"}
    made = client.post(
        "/api/donation/goods/pledges",
        json={
            "category": "aids",
            "description": "轮椅 1 台",
            "dropoff_point": "binjiang-hub",
            "contact_phone": PHONE,
        },
    )
    assert made.status_code == 201
    assert made.json()["reference"].startswith("CW-")


def test_pledge_lookup_stops_after_five_wrong_phones_for_one_reference(
    client: TestClient,
) -> None:
    created = make_pledge(client)
    for attempt in range(5):
        wrong = client.post(
            "/api/donation/pledges/lookup",
            json={"reference": created["reference"], "contact_phone": f"1390000000{attempt}"},
        )
        assert wrong.status_code == 404
    for path in ("/api/donation/pledges/lookup", "/api/donation/pledges/cancel"):
        refused = client.post(
            path, json={"reference": created["reference"], "contact_phone": PHONE}
        )
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "too_many_attempts"
