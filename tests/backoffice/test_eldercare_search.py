"""Eldercare search: filters, nearest first, and which condition excluded everything."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from backoffice.records.eldercare import search
from backoffice.records.eldercare.facilities import upsert_facilities
from backoffice.records.eldercare.mapping import search_result_out
from backoffice.records.eldercare.schemas import SearchQuery, SearchResult
from core.errors import ApiError
from zhtext.streets import distance_km, get_place

WENSAN = get_place("文三路")


def facility(code: str, **values: Any) -> dict[str, Any]:
    """A facility row: a public home in 西湖区 next to 文三路 unless told otherwise."""
    row: dict[str, Any] = {
        "code": code,
        "name": f"{code}（示例）",
        "kind": "institution",
        "ownership": "public",
        "district_code": "xihu",
        "street": "西溪街道",
        "address": "测试地址",
        "phone": "0571-00001000",
        "lat": WENSAN.lat,
        "lon": WENSAN.lon,
        "total_beds": 100,
        "nursing_beds": 60,
        "vacancies": 5,
        "price_min": 4000,
        "price_max": 6000,
        "serves_disabled": True,
        "serves_semi_disabled": True,
        "dementia_care": False,
        "offers_meals": False,
        "offers_day_care": False,
        "offers_short_stay": False,
        "visit_capacity": 4,
        "is_sample": True,
    }
    return row | values


@pytest.fixture
def facilities(session: Session) -> Session:
    upsert_facilities(
        session=session,
        rows=[
            # 0.0 km from 文三路
            facility("near", dementia_care=True, price_min=4800),
            # about 1.1 km north
            facility("north", lat=WENSAN.lat + 0.01, price_min=3000, dementia_care=True),
            # about 3.3 km south, full
            facility("south-full", lat=WENSAN.lat - 0.03, vacancies=0, dementia_care=True),
            # in 拱墅区, about 2.6 km east (武林广场)
            facility(
                "gongshu", district_code="gongshu", lat=30.2735, lon=120.1640, dementia_care=True
            ),
            # a canteen: no price per month, no vacancies counted
            facility(
                "canteen",
                kind="canteen",
                ownership=None,
                price_min=None,
                price_max=None,
                vacancies=None,
                meal_price=12,
                serves_disabled=False,
                serves_semi_disabled=False,
                offers_meals=True,
                lat=WENSAN.lat + 0.002,
            ),
            # 淳安县, far away, cheap
            facility("chunan", district_code="chunan", lat=29.605, lon=119.042, price_min=1800),
        ],
    )
    return session


def search_facilities(*, session: Session, query: SearchQuery) -> SearchResult:
    """A search as the route answers it (the records mapped to the API's shape)."""
    return search_result_out(search.search_facilities(session=session, query=query))


def codes(result: Any) -> list[str]:
    return [item.code for item in result.items]


def test_nearest_first_from_a_place_with_distances(facilities: Session) -> None:
    result = search_facilities(
        session=facilities, query=SearchQuery(place="文三路", need="dementia", limit=10)
    )
    assert codes(result) == ["near", "north", "gongshu"]  # south-full has no vacancy
    distances = [item.distance_km or 0.0 for item in result.items]
    assert distances == sorted(distances)
    assert distances[0] == 0.0
    assert result.items[2].distance_km == pytest.approx(2.6, abs=0.1)
    assert result.origin is not None
    assert (result.origin.source, result.origin.label) == ("place", "文三路")


def test_a_shared_location_is_the_origin(facilities: Session) -> None:
    wulin = get_place("武林广场")
    result = search_facilities(
        session=facilities,
        query=SearchQuery(lat=wulin.lat, lon=wulin.lon, need="disabled", limit=10),
    )
    assert codes(result)[0] == "gongshu"
    assert result.origin is not None
    assert result.origin.source == "location"
    expected = distance_km(wulin.lat, wulin.lon, WENSAN.lat, WENSAN.lon)
    near = next(item for item in result.items if item.code == "near")
    assert near.distance_km == pytest.approx(expected, abs=0.05)


def test_district_filter_and_distance_from_the_district_centre(facilities: Session) -> None:
    result = search_facilities(
        session=facilities, query=SearchQuery(district="xihu", need="dementia", limit=10)
    )
    assert set(codes(result)) == {"near", "north"}
    assert result.origin is not None
    assert (result.origin.source, result.origin.label) == ("district", "西湖区")


def test_radius_limits_the_area(facilities: Session) -> None:
    result = search_facilities(
        session=facilities,
        query=SearchQuery(place="文三路", radius_km=2.0, need="disabled", limit=10),
    )
    assert codes(result) == ["near", "north"]


def test_budget_is_the_lowest_monthly_price(facilities: Session) -> None:
    result = search_facilities(
        session=facilities,
        query=SearchQuery(district="xihu", need="dementia", budget=4000, limit=10),
    )
    assert codes(result) == ["north"]


def test_vacancy_filter_can_be_switched_off(facilities: Session) -> None:
    query = SearchQuery(district="xihu", need="dementia", require_vacancy=False, limit=10)
    assert "south-full" in codes(search_facilities(session=facilities, query=query))


def test_canteens_ignore_budget_and_vacancies(facilities: Session) -> None:
    result = search_facilities(
        session=facilities, query=SearchQuery(place="文三路", need="meals", budget=600)
    )
    assert codes(result) == ["canteen"]
    assert result.items[0].meal_price == 12


def test_kinds_filter(facilities: Session) -> None:
    result = search_facilities(
        session=facilities, query=SearchQuery(district="xihu", kinds=["canteen"], limit=10)
    )
    assert codes(result) == ["canteen"]


def test_pages_of_three(facilities: Session) -> None:
    query = SearchQuery(place="文三路", need="disabled", require_vacancy=False)
    first = search_facilities(session=facilities, query=query)
    second = search_facilities(session=facilities, query=query.model_copy(update={"offset": 3}))
    assert first.total == second.total == 5
    assert len(first.items) == 3
    assert len(second.items) == 2
    assert not set(codes(first)) & set(codes(second))


def test_need_excludes_everything_in_the_area_and_a_wider_area_helps(facilities: Session) -> None:
    result = search_facilities(
        session=facilities, query=SearchQuery(district="chunan", need="dementia")
    )
    assert result.total == 0
    assert result.excluded_by == "need"
    relax = {r.condition: r.count for r in result.relaxations}
    assert relax["area"] == 3  # near, north, gongshu (south-full has no vacancy)
    assert relax["vacancy"] == 0


def test_budget_excludes_everything_and_the_lowest_budget_that_helps_is_given(
    facilities: Session,
) -> None:
    result = search_facilities(
        session=facilities, query=SearchQuery(district="xihu", need="dementia", budget=2500)
    )
    assert result.total == 0
    assert result.excluded_by == "budget"
    budget = next(r for r in result.relaxations if r.condition == "budget")
    assert (budget.count, budget.budget) == (2, 3000)


def test_vacancy_excludes_everything(session: Session) -> None:
    upsert_facilities(session=session, rows=[facility("full", vacancies=0)])
    result = search_facilities(session=session, query=SearchQuery(district="xihu"))
    assert result.excluded_by == "vacancy"
    assert [(r.condition, r.count) for r in result.relaxations] == [("area", 0), ("vacancy", 1)]


def test_area_excludes_everything(facilities: Session) -> None:
    far_away = SearchQuery(lat=30.7, lon=120.7, radius_km=1.0)
    result = search_facilities(session=facilities, query=far_away)
    assert result.excluded_by == "area"
    assert next(r for r in result.relaxations if r.condition == "area").count == 5


def test_no_area_condition_offers_no_wider_area(facilities: Session) -> None:
    result = search_facilities(session=facilities, query=SearchQuery(need="short_stay"))
    assert result.excluded_by == "need"
    assert [r.condition for r in result.relaxations] == ["vacancy"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (SearchQuery(district="mars"), "unknown_district"),
        (SearchQuery(place="火星基地"), "unknown_place"),
        (SearchQuery(lat=30.2), "incomplete_location"),
        (SearchQuery(radius_km=3), "radius_without_origin"),
    ],
)
def test_bad_queries_are_refused(facilities: Session, query: SearchQuery, code: str) -> None:
    with pytest.raises(ApiError) as raised:
        search_facilities(session=facilities, query=query)
    assert raised.value.code == code
    assert raised.value.status_code == 422
