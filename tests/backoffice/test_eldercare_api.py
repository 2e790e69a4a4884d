"""The eldercare HTTP API: search, details, availability, booking and cancelling, 4xx in Chinese."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backoffice.records.districts.seed import seed as seed_districts
from backoffice.records.eldercare.router import router
from backoffice.records.eldercare.seed import seed
from backoffice.staff.access import require_staff
from tests.backoffice.router_client import router_client, sessions_of
from zhtext.city_time import city_today

TODAY = dt.date(2026, 11, 28)
DAY = "2026-12-01"


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with sessions_of(database_url) as factory:
        with factory() as session:
            seed_districts(session)
            seed(session)
        with router_client(factory, router, overrides={city_today: lambda: TODAY}) as test_client:
            yield test_client


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


# ---------------------------------------------------------------- failed attempts


def book(client: TestClient, phone: str = "13812345678", half_day: str = "am") -> str:
    booking = {
        "facility_code": "xihu-home-1",
        "visit_date": DAY,
        "half_day": half_day,
        "visitor_name": "张丽",
        "phone": phone,
        "conversation_id": "web-family",
    }
    response = client.post("/api/eldercare/visits", json=booking)
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def test_every_guess_counts_against_the_reference_whoever_asks(client: TestClient) -> None:
    reference = book(client)
    lookup = f"/api/eldercare/visits/{reference}/lookup"
    cancel = f"/api/eldercare/visits/{reference}/cancel"
    for number in range(5):
        # The body no longer names a caller; an old client that does is refused outright.
        guess = {"phone": f"1390000{number:04d}"}
        assert client.post(lookup, json=guess).status_code == 404
    assert (
        client.post(lookup, json={"phone": "13812345678", "conversation_id": "x"}).status_code
        == 422
    )
    # the reference is blocked: the right phone is refused, and nothing is cancelled
    for path in (lookup, cancel):
        stopped = client.post(path, json={"phone": "13812345678"})
        assert stopped.status_code == 429, path
        assert stopped.json()["error"]["code"] == "too_many_attempts"
    still = client.get(
        "/api/eldercare/facilities/xihu-home-1/availability", params={"visit_date": DAY}
    )
    assert still.json()["am"] == 3, "the blocked visit still holds its place"


def test_guessing_with_one_phone_across_references_is_limited_too(client: TestClient) -> None:
    book(client)
    for number in range(5):
        path = f"/api/eldercare/visits/YL-20261201-{number:04d}9/lookup"
        assert client.post(path, json={"phone": "13900001111"}).status_code == 404
    reference = book(client, phone="13900001111", half_day="pm")
    blocked = client.post(
        f"/api/eldercare/visits/{reference}/lookup", json={"phone": "13900001111"}
    )
    assert blocked.status_code == 429


def test_lookup_reads_the_visit_back_masked(client: TestClient) -> None:
    reference = book(client)
    path = f"/api/eldercare/visits/{reference}/lookup"
    found = client.post(path, json={"phone": "138 1234 5678"})
    assert found.status_code == 200
    visit = found.json()
    assert (visit["reference"], visit["status"], visit["half_day"]) == (reference, "booked", "am")
    assert (visit["visitor_name_masked"], visit["phone_masked"]) == ("张*", "138****5678")
    assert "张丽" not in found.text and "13812345678" not in found.text
    wrong = client.post(path, json={"phone": "13900001111"})
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (404, "visit_not_found")
    still = client.get(
        "/api/eldercare/facilities/xihu-home-1/availability", params={"visit_date": DAY}
    )
    assert still.json()["am"] == 3  # looking up cancels nothing


# ---------------------------------------------------------------- staff


@pytest.fixture
def staff_client(client: TestClient) -> TestClient:
    app = cast(FastAPI, client.app)
    app.dependency_overrides[require_staff] = lambda: None
    return client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/eldercare/staff/facilities/xihu-home-1/visits?visit_date=" + DAY, None),
        ("PATCH", "/api/eldercare/staff/facilities/xihu-home-1", {"vacancies": 0}),
    ],
)
def test_staff_routes_need_a_staff_session(
    client: TestClient, method: str, path: str, body: dict[str, int] | None
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == 401
    assert response.json()["error"]["message"]
    facility = client.get("/api/eldercare/facilities/xihu-home-1").json()
    assert facility["vacancies"] == 6  # nothing changed


def test_staff_list_a_days_visits_with_names_masked(staff_client: TestClient) -> None:
    reference = book(staff_client)
    second = {
        "facility_code": "xihu-home-1", "visit_date": DAY, "half_day": "pm",
        "visitor_name": "欧阳晓雯", "phone": "13900001234",
    }  # fmt: skip
    other = staff_client.post("/api/eldercare/visits", json=second).json()["reference"]
    staff_client.post(
        f"/api/eldercare/visits/{other}/cancel", json={"phone": "13900001234"}
    ).raise_for_status()
    response = staff_client.get(
        "/api/eldercare/staff/facilities/xihu-home-1/visits", params={"visit_date": DAY}
    )
    assert response.status_code == 200
    day = response.json()
    assert (day["facility_code"], day["visit_date"], day["booked"]) == ("xihu-home-1", DAY, 1)
    listed = [(v["reference"], v["half_day"], v["status"]) for v in day["visits"]]
    assert listed == [(reference, "am", "booked"), (other, "pm", "cancelled")]
    assert [v["visitor_name_masked"] for v in day["visits"]] == ["张*", "欧***"]
    assert "张丽" not in response.text and "欧阳晓雯" not in response.text
    assert "13812345678" not in response.text
    empty = staff_client.get(
        "/api/eldercare/staff/facilities/xihu-home-2/visits", params={"visit_date": DAY}
    ).json()
    assert (empty["booked"], empty["visits"]) == (0, [])


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"visit_date": DAY}, 404, "facility_not_found"),
        ({"visit_date": "2026-13-01"}, 422, "invalid_request"),
        ({}, 422, "invalid_request"),
    ],
)
def test_staff_visit_list_refusals(
    staff_client: TestClient, params: dict[str, str], status: int, code: str
) -> None:
    code_in_path = "nowhere" if status == 404 else "xihu-home-1"
    response = staff_client.get(
        f"/api/eldercare/staff/facilities/{code_in_path}/visits", params=params
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_staff_update_vacancies_and_prices(staff_client: TestClient) -> None:
    path = "/api/eldercare/staff/facilities/xihu-home-1"
    updated = staff_client.patch(path, json={"vacancies": 0, "price_min": 4500})
    assert updated.status_code == 200, updated.text
    facility = updated.json()
    assert (facility["vacancies"], facility["price_min"], facility["price_max"]) == (0, 4500, 7800)
    assert staff_client.get("/api/eldercare/facilities/xihu-home-1").json()["vacancies"] == 0
    search = {"district": "xihu", "need": "dementia", "kinds": ["institution"]}
    codes = [
        f["code"] for f in staff_client.post("/api/eldercare/search", json=search).json()["items"]
    ]
    assert "xihu-home-1" not in codes  # full now: left out of searches that need a vacancy
    both = staff_client.patch(path, json={"price_min": 5000, "price_max": 9000, "vacancies": 3})
    assert (both.json()["price_min"], both.json()["price_max"], both.json()["vacancies"]) == (
        5000,
        9000,
        3,
    )
    canteen = staff_client.patch(
        "/api/eldercare/staff/facilities/xihu-canteen-1", json={"meal_price": 15}
    )
    assert (canteen.status_code, canteen.json()["meal_price"]) == (200, 15)


@pytest.mark.parametrize(
    ("code", "body", "status", "error"),
    [
        ("nowhere", {"vacancies": 1}, 404, "facility_not_found"),
        ("xihu-home-1", {"vacancies": -1}, 422, "invalid_request"),
        ("xihu-home-1", {"vacancies": "很多"}, 422, "invalid_request"),
        ("xihu-home-1", {"price_min": -100}, 422, "invalid_request"),
        ("xihu-home-1", {}, 422, "invalid_request"),
        ("xihu-home-1", {"vacancies": None}, 422, "invalid_request"),
        ("xihu-home-1", {"name": "新名字"}, 422, "invalid_request"),
        ("xihu-home-1", {"price_min": 9000, "price_max": 8000}, 422, "price_range_invalid"),
        ("xihu-home-1", {"price_min": 9000}, 422, "price_range_invalid"),
        ("xihu-home-1", {"vacancies": 321}, 422, "vacancies_above_beds"),
        ("xihu-canteen-1", {"vacancies": 3}, 422, "vacancies_not_counted"),
        ("xihu-canteen-1", {"price_min": 300}, 422, "price_incomplete"),
    ],
)
def test_staff_updates_with_bad_values_are_refused(
    staff_client: TestClient, code: str, body: dict[str, object], status: int, error: str
) -> None:
    response = staff_client.patch(f"/api/eldercare/staff/facilities/{code}", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == error
    assert response.json()["error"]["message"]
    unchanged = staff_client.get("/api/eldercare/facilities/xihu-home-1").json()
    assert (unchanged["vacancies"], unchanged["price_min"], unchanged["price_max"]) == (
        6,
        4200,
        7800,
    )
