"""The eldercare HTTP API: search, details, availability, booking and cancelling, 4xx in Chinese."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from backoffice.db import get_session, make_engine
from backoffice.records.districts.seed import seed as seed_districts
from backoffice.records.eldercare.router import get_today, router
from backoffice.records.eldercare.seed import seed
from web.errors import install_error_handling

TODAY = dt.date(2026, 11, 28)
DAY = "2026-12-01"


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    engine = make_engine(database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        seed_districts(session)
        seed(session)

    def session_override() -> Iterator[object]:
        with factory() as session:
            yield session

    app = FastAPI()
    install_error_handling(app)
    app.include_router(router)
    app.dependency_overrides[get_session] = session_override
    app.dependency_overrides[get_today] = lambda: TODAY
    with TestClient(app) as test_client:
        yield test_client
    engine.dispose()


def test_search_nearest_first(client: TestClient) -> None:
    response = client.post(
        "/api/eldercare/search", json={"place": "武林广场", "radius_km": 3, "need": "meals"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 1
    assert body["items"][0]["name"] == "武林街道老年食堂（示例）"
    distances = [item["distance_km"] for item in body["items"]]
    assert distances == sorted(distances)


def test_search_with_nothing_found_says_why(client: TestClient) -> None:
    body = client.post(
        "/api/eldercare/search", json={"district": "shangcheng", "need": "dementia", "budget": 3000}
    ).json()
    assert body["total"] == 0
    assert body["excluded_by"] == "budget"
    budget = next(r for r in body["relaxations"] if r["condition"] == "budget")
    assert budget["budget"] == 4000


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"district": "mars"}, 422, "unknown_district"),
        ({"place": "月球"}, 422, "unknown_place"),
        ({"need": "massage"}, 422, "invalid_request"),
        ({"limit": 500}, 422, "invalid_request"),
        ({"surprise": 1}, 422, "invalid_request"),
    ],
)
def test_bad_searches_get_chinese_4xx(
    client: TestClient, body: dict[str, object], status: int, code: str
) -> None:
    response = client.post("/api/eldercare/search", json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]


def test_details_and_unknown_facility(client: TestClient) -> None:
    details = client.get("/api/eldercare/facilities/xihu-home-1")
    assert details.status_code == 200
    assert details.json()["kind"] == "institution"
    assert details.json()["accepts_visits"] is True
    missing = client.get("/api/eldercare/facilities/nowhere")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "code": "facility_not_found",
        "message": "没有找到这家养老服务机构，请确认机构编号。",
    }


def test_book_check_availability_and_cancel(client: TestClient) -> None:
    booking = {
        "facility_code": "xihu-home-1",
        "visit_date": DAY,
        "half_day": "pm",
        "visitor_name": "张丽",
        "phone": "13812345678",
        "conversation_id": "web-test",
    }
    created = client.post("/api/eldercare/visits", json=booking)
    assert created.status_code == 201
    visit = created.json()
    assert visit["reference"] == "YL-20261201-0001"
    assert (visit["visitor_name_masked"], visit["phone_masked"]) == ("张*", "138****5678")
    assert "张丽" not in created.text and "13812345678" not in created.text
    again = client.post("/api/eldercare/visits", json=booking)
    assert (again.status_code, again.json()["created"]) == (200, False)
    free = client.get(
        "/api/eldercare/facilities/xihu-home-1/availability", params={"visit_date": DAY}
    ).json()
    assert (free["am"], free["pm"]) == (4, 3)
    wrong = client.post(
        "/api/eldercare/visits/YL-20261201-0001/cancel", json={"phone": "13900001111"}
    )
    assert wrong.status_code == 404
    cancelled = client.post(
        "/api/eldercare/visits/YL-20261201-0001/cancel", json={"phone": "13812345678"}
    )
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"visit_date": "2026-11-28"}, 422, "date_out_of_window"),
        ({"facility_code": "xihu-canteen-1"}, 422, "visits_not_offered"),
        ({"facility_code": "nowhere"}, 404, "facility_not_found"),
        ({"phone": "12345"}, 422, "invalid_phone"),
        ({"half_day": "evening"}, 422, "invalid_request"),
    ],
)
def test_bad_bookings_get_chinese_4xx(
    client: TestClient, changes: dict[str, str], status: int, code: str
) -> None:
    booking = {
        "facility_code": "xihu-home-1",
        "visit_date": DAY,
        "half_day": "am",
        "visitor_name": "张丽",
        "phone": "13812345678",
    } | changes
    response = client.post("/api/eldercare/visits", json=booking)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_a_full_half_day_is_409(client: TestClient) -> None:
    for number in range(4):
        booking = {
            "facility_code": "xihu-home-1", "visit_date": DAY, "half_day": "am",
            "visitor_name": "张丽", "phone": f"1380000{number:04d}",
        }  # fmt: skip
        assert client.post("/api/eldercare/visits", json=booking).status_code == 201
    booking["phone"] = "13900009999"
    full = client.post("/api/eldercare/visits", json=booking)
    assert full.status_code == 409
    assert full.json()["error"]["code"] == "slot_full"
