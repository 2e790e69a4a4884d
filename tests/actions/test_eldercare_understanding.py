"""Reading eldercare wishes from free text: place, need, budget, relaxations, references."""

from __future__ import annotations

import pytest

from actions.eldercare.understanding import (
    UNLIMITED,
    district_area,
    find_area,
    find_budget,
    find_need,
    find_ordinal,
    find_reference,
    find_relaxation,
    shared_location,
)
from actions.eldercare.visits import visitor_name

STORY = "我妈八十多了，有点糊涂，想找西湖区的，每月五千以内"


def test_the_daughters_sentence_gives_need_district_and_budget() -> None:
    area = find_area(STORY)
    assert isinstance(area, dict)
    assert (area["source"], area["district"], area["label"]) == ("district", "xihu", "西湖区")
    assert find_need(STORY) == "dementia"
    assert find_budget(STORY, asked=False) == 5000  # "八十多" is an age, not money


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("有点糊涂", "dementia"),
        ("老年痴呆", "dementia"),
        ("经常忘事，不认人了", "dementia"),
        ("卧床不能自理", "disabled"),
        ("中风后瘫在床上", "disabled"),
        ("半失能", "semi_disabled"),
        ("腿脚不好，走路要人扶", "semi_disabled"),
        ("腿脚不好，也有点糊涂", "dementia"),
        ("就想吃口热饭", "meals"),
        ("附近的老年食堂", "meals"),
        ("白天有人照顾就行，晚上接回家", "day_care"),
        ("我们出差，想让老人短住几天", "short_stay"),
        ("西湖区", None),
    ],
)
def test_needs_from_everyday_words(text: str, need: str | None) -> None:
    assert find_need(text) == need


@pytest.mark.parametrize(
    ("text", "asked", "budget"),
    [
        ("五千以内", True, 5000),
        ("五千", True, 5000),
        ("每个月三千五", False, 3500),
        ("三到五千", True, 5000),
        ("不超过6000", False, 6000),
        ("一年六万", True, 5000),
        ("不限", True, UNLIMITED),
        ("预算不限", False, UNLIMITED),
        ("钱不是问题", True, UNLIMITED),
        ("八十多了", True, None),
        ("都行", False, None),
        ("住3楼", True, None),
    ],
)
def test_budgets(text: str, asked: bool, budget: object) -> None:
    assert find_budget(text, asked=asked) == budget


def test_places_and_their_problems() -> None:
    near_wensan = find_area("文三路附近")
    assert isinstance(near_wensan, dict)
    assert (near_wensan["source"], near_wensan["place"], near_wensan["district"]) == (
        "place",
        "文三路",
        None,
    )
    with_district = find_area("西湖区文三路")
    assert isinstance(with_district, dict)
    assert with_district["district"] == "xihu"
    assert find_area("江干区") == "former_split"
    assert find_area("就找我附近的") == "needs_location"
    assert find_area("找个养老院") is None


def test_district_buttons() -> None:
    area = district_area("gongshu")
    assert area is not None
    assert area["district"] == "gongshu"
    assert district_area("mars") is None


def test_shared_location_from_entities_or_metadata() -> None:
    payload = {"entities": [{"entity": "lat", "value": 30.27}, {"entity": "lon", "value": 120.16}]}
    assert shared_location(payload, None) == (30.27, 120.16)
    metadata = {"location": {"lat": "30.1", "lon": "120.2"}}
    assert shared_location({"entities": []}, metadata) == (30.1, 120.2)
    assert shared_location({"entities": []}, {"location": {"lat": 95, "lon": 0}}) is None
    assert shared_location({"entities": []}, None) is None


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("远一点也行", "area"),
        ("预算可以再高点", "budget"),
        ("没空位的也看看", "vacancy"),
        ("好", None),
    ],
)
def test_relaxations(text: str, condition: str | None) -> None:
    assert find_relaxation(text) == condition


def test_references_ordinals_and_names() -> None:
    assert find_reference("预约号 yl-20261203-0007") == "YL-20261203-0007"
    assert find_reference("YL 20261203 0007") == "YL-20261203-0007"
    assert find_reference("没有预约号") is None
    assert find_ordinal("第二家怎么样") == 2
    assert find_ordinal("第5个") == 5
    assert visitor_name("我叫张丽") == "张丽"
    assert visitor_name("张丽 13812345678") == "张丽"
    assert visitor_name("13812345678") is None
    assert visitor_name("欧阳晓雯。") == "欧阳晓雯"
