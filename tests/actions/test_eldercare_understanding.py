"""Reading eldercare wishes from free text: place, need, budget, relaxations, references."""

from __future__ import annotations

import pytest

from actions.eldercare.understanding import (
    UNLIMITED,
    district_area,
    find_area,
    find_budget,
    find_kind,
    find_need,
    find_ordinal,
    find_reference,
    find_relaxations,
    reconcile,
    shared_location,
)

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
        # approximate amounts: two neighbouring digits are a range, the larger is the cap
        ("七八千", True, 8000),
        ("五六千块", True, 6000),
        ("预算六七千", False, 7000),
        ("三四千左右", True, 4000),
        ("一万出头", True, 10000),
        ("8k", True, 8000),
        ("每月8k", False, 8000),
        ("我爸八十多了一个月一万出头", False, 10000),
        ("老人八十多了，预算七八千", False, 8000),
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
    ("text", "kind"),
    [
        ("帮我找个养老院", "institution"),
        ("敬老院有空床吗", "institution"),
        ("公办养老机构", "institution"),
        ("社会福利院", "institution"),
        ("附近的老年食堂", "canteen"),
        ("有助餐的地方吗", "canteen"),
        ("想找个吃饭的地方", "canteen"),
        ("日托", "day_center"),
        ("日间照料中心", "day_center"),
        ("我爸腿脚不好，想找个白天照顾的地方", "day_center"),
        ("社区照料中心", "day_center"),
        ("家庭养老床位怎么申请", "family_bed"),
        ("想办个家庭床位", "family_bed"),
        ("卧床，吃饭要人喂", None),
        ("西湖区，有点糊涂", None),
    ],
)
def test_kinds_of_place(text: str, kind: str | None) -> None:
    assert find_kind(text) == kind


def test_the_father_who_walks_badly_needs_day_care_not_a_care_home() -> None:
    text = "我爸腿脚不好，想找个白天照顾的地方"
    need, kind = find_need(text), find_kind(text)
    assert (need, kind) == ("semi_disabled", "day_center")
    assert reconcile(kind, need, newer=None) == ("day_center", "semi_disabled")


@pytest.mark.parametrize(
    ("kind", "need", "newer", "result"),
    [
        # a kind that can meet the need: both are kept
        ("day_center", "semi_disabled", None, ("day_center", "semi_disabled")),
        ("institution", "dementia", "kind", ("institution", "dementia")),
        ("institution", None, "kind", ("institution", None)),
        # a place to eat, said with a care need: look for 助餐
        ("canteen", "dementia", None, ("canteen", "meals")),
        ("canteen", "disabled", "kind", ("canteen", "meals")),
        # the need said later wins over a kind that cannot meet it
        ("institution", "meals", "need", (None, "meals")),
        ("canteen", "disabled", "need", (None, "disabled")),
        # a kind said later that cannot meet the earlier need: ask the need again
        ("institution", "meals", "kind", ("institution", None)),
        ("family_bed", "day_care", "kind", ("family_bed", None)),
        # said together and still not fitting: both stay, the search explains
        ("institution", "day_care", None, ("institution", "day_care")),
    ],
)
def test_kind_and_need_are_made_to_fit(
    kind: str | None, need: str | None, newer: str | None, result: tuple[str | None, str | None]
) -> None:
    assert reconcile(kind, need, newer=newer) == result  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("远一点也行", "area"),
        ("别的区也可以", "area"),
        ("全杭州都可以", "area"),
        ("预算可以再高点", "budget"),
        ("钱可以多花点", "budget"),
        ("价格高点也可以", "budget"),
        ("预算可以加", "budget"),
        ("预算加到八千", "budget"),
        ("加到八千吧", "budget"),
        ("没空位的也看看", "vacancy"),
        ("满的也行", "vacancy"),
        ("没空位也行", "vacancy"),
        ("满员的也列出来", "vacancy"),
        # not clear which: nothing is guessed
        ("好", None),
        ("条件松一点", None),
        ("放宽一点条件", None),
        ("预算不限", "budget"),
    ],
)
def test_relaxations(text: str, condition: str | None) -> None:
    assert find_relaxations(text) == ([] if condition is None else [condition])


def test_two_relaxations_in_one_message() -> None:
    assert find_relaxations("远一点贵一点都行") == ["area", "budget"]


def test_references_and_ordinals() -> None:
    assert find_reference("预约号 yl-20261203-0007") == "YL-20261203-0007"
    assert find_reference("YL 20261203 0007") == "YL-20261203-0007"
    assert find_reference("没有预约号") is None
    assert find_ordinal("第二家怎么样") == 2
    assert find_ordinal("第5个") == 5
