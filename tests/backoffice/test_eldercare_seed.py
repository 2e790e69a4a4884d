"""The sample facilities: enough of them, everywhere, plainly sample, placed on their streets."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.records.districts.seed import seed as seed_districts
from backoffice.records.eldercare.models import EldercareFacility
from backoffice.records.eldercare.schemas import SearchQuery
from backoffice.records.eldercare.seed import SeedFacility, load_seed_file, seed
from tests.backoffice.test_eldercare_search import search_facilities
from zhtext.places import all_districts
from zhtext.streets import distance_km, get_place

DOCUMENT = load_seed_file()
FACILITIES = DOCUMENT.facilities


def test_at_least_sixty_facilities_in_all_thirteen_districts() -> None:
    assert len(FACILITIES) >= 60
    per_district = Counter(f.district for f in FACILITIES)
    assert set(per_district) == {d.code for d in all_districts()}
    assert min(per_district.values()) >= 3


def test_all_four_kinds_and_every_need_are_present() -> None:
    assert {f.kind for f in FACILITIES} == {"institution", "day_center", "canteen", "family_bed"}
    assert {need for f in FACILITIES for need in f.needs} == {
        "disabled", "semi_disabled", "dementia", "meals", "day_care", "short_stay",
    }  # fmt: skip


def test_every_facility_is_plainly_sample_data_with_no_invented_address_or_phone() -> None:
    assert DOCUMENT.sample is True
    for facility in FACILITIES:
        assert facility.name.endswith("（示例）"), facility.code
        # A citizen may go there or call: the unknown address and phone point to 12345 instead.
        assert facility.address == "详细地址待核实，请拨打 12345 询问", facility.code
        assert facility.phone == "12345", facility.code


def test_codes_and_names_are_unique() -> None:
    assert len({f.code for f in FACILITIES}) == len(FACILITIES)
    assert len({f.name for f in FACILITIES}) == len(FACILITIES)


@pytest.mark.parametrize("facility", FACILITIES, ids=lambda f: f.code)
def test_coordinates_match_the_street(facility: SeedFacility) -> None:
    street = get_place(facility.street)
    assert street.district == facility.district
    distance = distance_km(street.lat, street.lon, facility.lat, facility.lon)
    assert distance < 1.5, f"{facility.code} is {distance:.1f} km from {street.name}"


def test_institutions_have_beds_prices_and_vacancies_canteens_a_meal_price() -> None:
    for facility in FACILITIES:
        if facility.kind == "institution":
            assert facility.total_beds and facility.nursing_beds is not None
            assert facility.price_min and facility.price_max and facility.vacancies is not None
            assert facility.ownership in {"public", "private"}
            assert facility.visit_capacity > 0
        if facility.kind == "canteen":
            assert facility.meal_price and facility.opening_hours
            assert facility.needs == ["meals"]


def test_seeding_is_idempotent(session: Session) -> None:
    seed_districts(session)
    assert seed(session) == f"eldercare facilities: {len(FACILITIES)}"
    seed(session)
    count = session.scalar(select(func.count()).select_from(EldercareFacility))
    assert count == len(FACILITIES)
    assert session.scalar(select(func.count()).where(~EldercareFacility.is_sample)) == 0


def test_the_daughters_search_finds_dementia_care_in_xihu_within_budget(session: Session) -> None:
    seed(session)
    result = search_facilities(
        session=session,
        query=SearchQuery(district="xihu", place="文三路", need="dementia", budget=5000),
    )
    assert result.total >= 3
    first = result.items[0]
    assert "dementia" in first.needs
    assert first.price_min is not None and first.price_min <= 5000
    assert first.vacancies
    assert first.distance_km is not None and first.distance_km < 3


def test_in_chunan_nobody_offers_dementia_care_but_the_city_does(session: Session) -> None:
    seed(session)
    result = search_facilities(
        session=session, query=SearchQuery(district="chunan", need="dementia")
    )
    assert result.excluded_by == "need"
    area = next(r for r in result.relaxations if r.condition == "area")
    assert area.count > 10
