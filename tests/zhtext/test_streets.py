from __future__ import annotations

from typing import Any

import pytest

from zhtext.places import all_districts, default_table
from zhtext.streets import (
    PlaceTable,
    StreetFileError,
    all_places,
    default_place_table,
    distance_km,
    find_place,
    get_place,
    locate,
)


@pytest.mark.parametrize(
    ("text", "place", "district"),
    [
        ("文三路附近", "文三路", "xihu"),
        ("就在武林广场那边", "武林广场", "gongshu"),
        ("西湖文化广场", "西湖文化广场", "gongshu"),
        ("黄龙体育中心旁边", "黄龙", "xihu"),
        ("湖滨银泰", "湖滨", "shangcheng"),
        ("钱江新城", "钱江新城", "shangcheng"),
        ("滨江区政府附近", "滨江区政府", "binjiang"),
        ("城站", "杭州站", "shangcheng"),
        ("临平老城", "临平街道", "linping"),
        ("塘栖古镇", "塘栖镇", "linping"),
        ("金沙湖边上", "金沙湖", "qiantang"),
        ("千岛湖镇", "千岛湖镇", "chunan"),
        ("古墩路附近", "古墩路", "xihu"),
        ("天目山路那边", "天目山路", "xihu"),
        ("文一路", "文一路", "xihu"),
        ("龙翔桥", "龙翔桥", "shangcheng"),
        ("浙大玉泉附近", "浙江大学玉泉校区", "xihu"),
        ("浙江大学紫金港校区", "浙江大学紫金港校区", "xihu"),
        ("浙一医院旁边", "浙一医院", "shangcheng"),
        ("浙大二院", "浙二医院", "shangcheng"),
        ("火车东站", "杭州东站", "shangcheng"),
        ("市心北路", "市心北路", "xiaoshan"),
    ],
)
def test_places_are_found_with_their_district(text: str, place: str, district: str) -> None:
    found = locate(text)
    assert found is not None
    assert found.place is not None
    assert found.place.name == place
    assert found.district == district
    assert (found.lat, found.lon) == (found.place.lat, found.place.lon)


@pytest.mark.parametrize(
    ("text", "district"),
    [("西湖区", "xihu"), ("下沙", "qiantang"), ("临平", "linping"), ("淳安县", "chunan")],
)
def test_a_district_alone_is_placed_at_its_centre(text: str, district: str) -> None:
    found = locate(text)
    assert found is not None
    assert found.place is None
    assert found.district == district
    assert (found.lat, found.lon) == default_place_table().centre(district)


def test_a_district_named_with_a_place_keeps_both() -> None:
    found = locate("西湖区文三路附近")
    assert found is not None
    assert found.district == "xihu"
    assert found.place == get_place("文三路")


def test_the_district_inside_a_place_name_is_not_matched() -> None:
    # "西湖" is the short name of 西湖区, but 西湖文化广场 lies in 拱墅区.
    found = locate("西湖文化广场附近")
    assert found is not None
    assert found.district == "gongshu"
    assert found.district_candidates == ()


def test_jianggan_without_a_place_needs_a_choice_but_with_a_place_it_does_not() -> None:
    found = locate("江干区")
    assert found is not None
    assert found.needs_choice
    assert found.district is None
    settled = locate("江干九堡那边")
    assert settled is not None
    assert settled.district == "shangcheng"


def test_nothing_placed() -> None:
    assert locate("我想找个养老院") is None
    assert find_place("今天天气不错") is None


def test_every_district_has_two_to_four_places_or_more_and_a_centre() -> None:
    for district in all_districts():
        places = [p for p in all_places() if p.district == district.code]
        assert len(places) >= 2, district.name
        default_place_table().centre(district.code)


def test_places_lie_near_their_district_centre() -> None:
    # A typo in a coordinate would put a street tens of kilometres from its district.
    table = default_place_table()
    for place in all_places():
        lat, lon = table.centre(place.district)
        limit = 25 if place.district in {"xihu", "yuhang", "xiaoshan", "qiantang"} else 60
        assert distance_km(lat, lon, place.lat, place.lon) < limit, place.name


def test_distance_is_haversine() -> None:
    # 武林广场 → 文三路: about 2.6 km; one degree of latitude is about 111 km.
    wulin, wensan = get_place("武林广场"), get_place("文三路")
    assert distance_km(wulin.lat, wulin.lon, wensan.lat, wensan.lon) == pytest.approx(
        2.57, abs=0.05
    )
    assert distance_km(30.0, 120.0, 31.0, 120.0) == pytest.approx(111.2, abs=0.2)
    assert distance_km(30.0, 120.0, 30.0, 120.0) == 0


def _document(**overrides: Any) -> dict[str, Any]:
    centres = {d.code: {"lat": 30.0, "lon": 120.0} for d in all_districts()}
    place = {"name": "测试路", "kind": "road", "district": "xihu", "lat": 30.1, "lon": 120.1}
    return {"centres": centres, "places": [place | overrides]}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"district": "mars"}, "unknown district"),
        ({"kind": "river"}, "kind must be"),
        ({"lat": 40.0}, "outside Hangzhou"),
        ({"name": "西湖"}, "district name"),
        ({"aliases": "文三"}, "aliases"),
    ],
)
def test_a_bad_file_is_refused(override: dict[str, Any], message: str) -> None:
    with pytest.raises(StreetFileError, match=message):
        PlaceTable.from_document(_document(**override), default_table())


def test_a_name_used_twice_is_refused() -> None:
    document = _document()
    document["places"].append(dict(document["places"][0]))
    with pytest.raises(StreetFileError, match="used twice"):
        PlaceTable.from_document(document, default_table())
