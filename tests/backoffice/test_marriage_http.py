"""The marriage back office over HTTP: booking, refusals, calendar, attendance, proof limits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backoffice import lookup_guard
from backoffice.lookup_guard import LookupGuard
from backoffice.records.marriage.bookable import booking_window
from backoffice.records.marriage.policy import MarriagePolicy, get_policy
from backoffice.records.marriage.router import router
from backoffice.records.marriage.schemas import PersonIn
from backoffice.staff.access import require_staff
from tests.backoffice.marriage_support import TODAY, bookable, make_id, request
from tests.backoffice.marriage_support import policy as policy
from tests.backoffice.marriage_support import seeded as seeded
from tests.backoffice.router_client import router_client, sessions_of
from zhtext.city_time import city_today


@pytest.fixture
def client(database_url: str, seeded: Session) -> Iterator[TestClient]:
    with sessions_of(database_url) as factory, router_client(factory, router) as test_client:
        yield test_client


def booking_json(**fields: object) -> dict[str, object]:
    body = request(**fields).model_dump(mode="json")
    return body


def test_api_books_and_shows_personal_data_only_masked(client: TestClient) -> None:
    body = booking_json()
    created = client.post("/api/marriage/bookings", json=body)
    assert created.status_code == 201, created.text
    booking = created.json()
    assert re.fullmatch(r"HY-\d{8}-\d{4}", booking["reference"])
    assert booking["booking_type_label"] == "结婚登记"
    party1 = body["party1"]
    assert isinstance(party1, dict)
    raw_id = str(party1["id_number"])
    assert raw_id not in created.text and "13812345678" not in created.text
    assert "张伟" not in created.text
    assert booking["party1_id_number"] == raw_id[:4] + "*" * 10 + raw_id[-4:]
    assert booking["phone"] == "138****5678"
    assert booking["party1_name"] == "张*"
    assert booking["office"]["code"] == "xihu"
    again = client.post("/api/marriage/bookings", json=body)  # 确认 pressed twice
    assert again.status_code == 200, again.text
    assert again.json()["reference"] == booking["reference"]

    alone = client.post("/api/marriage/bookings/lookup", json={"reference": booking["reference"]})
    assert alone.status_code == 422
    wrong = client.post(
        "/api/marriage/bookings/lookup",
        json={"reference": booking["reference"], "phone": "13900000000"},
    )
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "not_found"
    found = client.post(
        "/api/marriage/bookings/lookup",
        json={"reference": booking["reference"], "id_last4": raw_id[-4:]},
    )
    assert found.status_code == 200
    assert found.json()["history"][0]["status"] == "booked"


def test_api_refusals_are_chinese_4xx(client: TestClient) -> None:
    too_far = client.post(
        "/api/marriage/bookings", json=booking_json(day=TODAY + dt.timedelta(days=60))
    )
    assert too_far.status_code == 422
    assert too_far.json()["error"]["code"] == "day_too_far"
    assert "只能预约" in too_far.json()["error"]["message"]
    unknown = client.post("/api/marriage/bookings", json=booking_json(office_code="nowhere"))
    assert unknown.status_code == 404
    garbage = client.post("/api/marriage/bookings", json={"booking_type": "party"})
    assert garbage.status_code == 422
    assert (
        client.get(
            "/api/marriage/offices/nowhere/availability", params={"day": bookable().isoformat()}
        ).status_code
        == 404
    )


def test_api_calendar_availability_policy_and_offices(client: TestClient) -> None:
    offices = client.get("/api/marriage/offices").json()
    assert [o["code"] for o in offices][:2] == ["city", "shangcheng"]
    policy = client.get("/api/marriage/policy").json()
    assert policy["minimum_age"] == {
        "male": 22,
        "female": 20,
        "source": policy["minimum_age"]["source"],
    }
    documents = " ".join(policy["booking_types"]["marriage"]["documents"])
    assert "身份证" in documents and "户口簿" not in documents
    day = client.get("/api/marriage/calendar", params={"day": TODAY.isoformat()}).json()
    assert day["bookable"] is False and day["reason"] == "past"
    assert day["first_day"] == bookable().isoformat()
    assert day["next_bookable_days"][0] == bookable().isoformat()
    free = client.get(
        "/api/marriage/offices/xihu/availability",
        params={"day": bookable().isoformat(), "half_day": "pm"},
    ).json()
    assert free["requested"]["remaining"] == 30
    assert free["same_office"] == [] and free["other_offices"] == []


def test_api_attendance_is_for_logged_in_staff_only(client: TestClient) -> None:
    booking = client.post("/api/marriage/bookings", json=booking_json()).json()
    path = f"/api/marriage/staff/bookings/{booking['reference']}/attendance"
    refused = client.post(path, json={"status": "attended"})
    assert refused.status_code == 401
    assert refused.json()["error"]["message"]

    app = cast(FastAPI, client.app)
    app.dependency_overrides[require_staff] = lambda: None
    assert client.post(path, json={"status": "late"}).status_code == 422
    early = client.post(path, json={"status": "no_show"})
    assert early.status_code == 409, early.text
    assert early.json()["error"]["code"] == "attendance_too_early"
    assert "还没到" in early.json()["error"]["message"]
    app.dependency_overrides[city_today] = lambda: dt.date.fromisoformat(booking["day"])
    marked = client.post(path, json={"status": "no_show"})
    assert marked.status_code == 200, marked.text
    assert [entry["status"] for entry in marked.json()["history"]] == ["booked", "no_show"]
    again = client.post(path, json={"status": "attended"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_active"


def test_api_wrong_proofs_are_limited_per_window_and_the_limit_expires(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    guard = LookupGuard(max_failures=5, window_seconds=3600, clock=lambda: now[0])
    monkeypatch.setattr(lookup_guard, "get_lookup_guard", lambda: guard)
    booking = client.post("/api/marriage/bookings", json=booking_json()).json()
    reference = booking["reference"]
    lookup = "/api/marriage/bookings/lookup"
    for guess in range(5):  # a stranger guessing the last 4 characters
        wrong = client.post(lookup, json={"reference": reference, "id_last4": f"{guess:04d}"})
        assert wrong.status_code == 404
    # within the window even the right proof is refused: guessing stops here
    blocked = client.post(lookup, json={"reference": reference, "phone": "13812345678"})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "too_many_attempts"
    assert "13812345678" not in blocked.text and "张" not in blocked.text
    cancel = client.post(
        f"/api/marriage/bookings/{reference}/cancel", json={"phone": "13812345678"}
    )
    assert cancel.status_code == 429
    # hotline staff can still look it up (masked), by the reference alone
    staff_path = f"/api/marriage/staff/bookings/{reference}"
    assert client.get(staff_path).status_code == 401
    app = cast(FastAPI, client.app)
    app.dependency_overrides[require_staff] = lambda: None
    for_staff = client.get(staff_path)
    assert for_staff.status_code == 200, for_staff.text
    assert for_staff.json()["phone"] == "138****5678"
    assert for_staff.json()["party1_name"] == "张*"
    assert "13812345678" not in for_staff.text
    assert client.get("/api/marriage/staff/bookings/HY-20990101-0001").status_code == 404
    # the window moves on: the owner gets in again, and nothing was locked for good
    now[0] += 3601
    found = client.post(lookup, json={"reference": reference, "phone": "13812345678"})
    assert found.status_code == 200, found.text
    assert found.json()["reference"] == reference


def test_api_a_booking_whose_day_has_passed_is_not_cancelled(client: TestClient) -> None:
    booking = client.post("/api/marriage/bookings", json=booking_json()).json()
    app = cast(FastAPI, client.app)
    app.dependency_overrides[city_today] = lambda: (
        dt.date.fromisoformat(booking["day"]) + dt.timedelta(days=1)
    )
    late = client.post(
        f"/api/marriage/bookings/{booking['reference']}/cancel", json={"phone": "13812345678"}
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "cancel_too_late"
    assert "已经过去" in late.json()["error"]["message"]


def test_api_window_messages_use_the_configured_window(
    client: TestClient, policy: MarriagePolicy
) -> None:
    window = policy.booking_window.model_copy(update={"horizon_days": 45, "lead_working_days": 2})
    app = cast(FastAPI, client.app)
    app.dependency_overrides[get_policy] = lambda: policy.model_copy(
        update={"booking_window": window}
    )
    too_far = client.post(
        "/api/marriage/bookings", json=booking_json(day=TODAY + dt.timedelta(days=60))
    )
    assert too_far.json()["error"]["code"] == "day_too_far"
    assert "45天" in too_far.json()["error"]["message"]
    next_working_day = bookable()  # bookable with 1 working day's notice, too soon with 2
    too_soon = client.post("/api/marriage/bookings", json=booking_json(day=next_working_day))
    assert too_soon.json()["error"]["code"] == "day_too_soon"
    assert "提前2个工作日" in too_soon.json()["error"]["message"]
    first = booking_window(today=TODAY, window=window).first
    assert first.isoformat() in too_soon.json()["error"]["message"]
    underage = client.post(
        "/api/marriage/bookings",
        json=booking_json(
            party1=PersonIn(name="张伟", id_number=make_id(male=True, age=21)), day=bookable(1)
        ),
    )
    assert underage.json()["error"]["code"] == "underage"
    assert "男22周岁" in underage.json()["error"]["message"]
