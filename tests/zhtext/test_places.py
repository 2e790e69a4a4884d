from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from zhtext.places import (
    DEFAULT_DISTRICT_FILE,
    DistrictFileError,
    DistrictTable,
    all_districts,
    find_district,
    get_district,
)

THIRTEEN = ["上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区",
            "富阳区", "临安区", "桐庐县", "淳安县", "建德市"]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("西湖区", "xihu", "西湖区"),
        ("西湖", "xihu", "西湖区"),
        ("西湖区文三路附近", "xihu", "西湖区"),
        ("我住在拱墅", "gongshu", "拱墅区"),
        ("上城区", "shangcheng", "上城区"),
        ("滨江", "binjiang", "滨江区"),
        ("萧山区", "xiaoshan", "萧山区"),
        ("余杭区", "yuhang", "余杭区"),
        ("临平", "linping", "临平区"),
        ("下沙", "qiantang", "钱塘区"),
        ("大江东", "qiantang", "钱塘区"),
        ("钱塘区", "qiantang", "钱塘区"),
        ("富阳", "fuyang", "富阳区"),
        ("临安区", "linan", "临安区"),
        ("临安市", "linan", "临安区"),
        ("桐庐县", "tonglu", "桐庐县"),
        ("淳安", "chunan", "淳安县"),
        ("千岛湖", "chunan", "淳安县"),
        ("建德市", "jiande", "建德市"),
        (" 拱墅 ", "gongshu", "拱墅区"),
    ],
)
def test_current_districts(text: str, code: str, name: str) -> None:
    match = find_district(text)
    assert match is not None
    assert match.district is not None
    assert (match.district.code, match.district.name) == (code, name)
    assert match.former is None
    assert not match.needs_choice


@pytest.mark.parametrize("text", ["下城区", "下城"])
def test_xiacheng_was_merged_into_gongshu(text: str) -> None:
    match = find_district(text)
    assert match is not None
    assert match.district == get_district("gongshu")
    assert match.former is not None
    assert (match.former.change, match.former.year) == ("merged", 2021)
    assert match.matched == text


@pytest.mark.parametrize("text", ["江干区", "江干", "以前是江干区的"])
def test_jianggan_was_split_so_the_assistant_asks(text: str) -> None:
    match = find_district(text)
    assert match is not None
    assert match.district is None
    assert match.needs_choice
    assert [d.code for d in match.candidates] == ["shangcheng", "qiantang"]
    assert match.former is not None
    assert match.former.change == "split"


def test_two_districts_named_need_a_choice() -> None:
    match = find_district("从滨江区搬到了西湖区")
    assert match is not None
    assert [d.code for d in match.candidates] == ["binjiang", "xihu"]
    assert match.needs_choice
    assert match.matched == "滨江区"


def test_the_same_district_twice_is_one_candidate() -> None:
    match = find_district("西湖区，对，西湖")
    assert match is not None
    assert match.district == get_district("xihu")


@pytest.mark.parametrize("text", ["", "杭州市", "宁波", "不知道", "湖州"])
def test_no_district(text: str) -> None:
    assert find_district(text) is None


def test_the_file_lists_the_thirteen_districts_in_the_citys_order() -> None:
    assert [d.name for d in all_districts()] == THIRTEEN
    assert len({d.code for d in all_districts()}) == 13
    assert len({d.gb_code for d in all_districts()}) == 13


@pytest.mark.parametrize(
    ("code", "kind", "tier"),
    [
        ("shangcheng", "区", "main_urban"),
        ("gongshu", "区", "main_urban"),
        ("xihu", "区", "main_urban"),
        ("binjiang", "区", "main_urban"),
        ("xiaoshan", "区", "main_urban"),
        ("yuhang", "区", "main_urban"),
        ("linping", "区", "main_urban"),
        ("qiantang", "区", "main_urban"),
        ("fuyang", "区", "main_urban"),
        ("linan", "区", "linan"),
        ("tonglu", "县", "tonglu_chunan_jiande"),
        ("chunan", "县", "tonglu_chunan_jiande"),
        ("jiande", "县级市", "tonglu_chunan_jiande"),
    ],
)
def test_kind_and_assistance_tier(code: str, kind: str, tier: str) -> None:
    district = get_district(code)
    assert (district.kind, district.tier) == (kind, tier)
    assert district.name.startswith(district.short_name)


def test_unknown_code() -> None:
    with pytest.raises(KeyError):
        get_district("xiacheng")


def test_the_file_names_its_sources() -> None:
    data = yaml.safe_load(DEFAULT_DISTRICT_FILE.read_text(encoding="utf-8"))
    assert data["source"]["title"]
    for tier in data["tiers"].values():
        assert tier["source"]["url"].startswith("http")


# --- malformed files ----------------------------------------------------------------------------


def _district(code: str, short_name: str, **changes: Any) -> dict[str, Any]:
    entry = {"code": code, "gb_code": "330106", "name": short_name + "区", "short_name": short_name,
             "kind": "区", "tier": "main_urban", "aliases": []}  # fmt: skip
    return entry | changes


def _document(*districts: dict[str, Any], former: list[dict[str, Any]] | None = None) -> Any:
    return {
        "tiers": {"main_urban": {"label": "主城区"}},
        "districts": list(districts),
        "former_districts": former or [],
    }


def _former(**changes: Any) -> dict[str, Any]:
    entry = {"name": "旧区", "short_name": "旧", "change": "merged", "year": 2021,
             "successors": ["xihu"]}  # fmt: skip
    return entry | changes


XIHU = _district("xihu", "西湖")
BINJIANG = _district("binjiang", "滨江")


def test_a_minimal_document_loads() -> None:
    table = DistrictTable.from_document(_document(_district("xihu", "西湖", aliases=["西溪"])))
    match = table.find("西溪湿地")
    assert match is not None
    assert match.district is not None
    assert match.district.code == "xihu"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("text", "file must be a mapping"),
        (_document(_district("Xihu", "西湖")), "lowercase pinyin"),
        (_document(_district("xihu", "西湖", kind="市")), "kind must be"),
        (_document(_district("xihu", "西湖", tier="rural")), "not listed under tiers"),
        (_document(_district("xihu", "西湖", gb_code="3301")), "gb_code"),
        (_document(_district("xihu", "西湖", name="")), "name must be non-empty"),
        (_document(XIHU, _district("xihu", "东湖")), "used twice"),
        (_document(XIHU, _district("dong", "东湖", aliases=["西湖"])), "used twice"),
        (_document(XIHU, former=[_former(successors=["nowhere"])]), "successors"),
        (_document(XIHU, former=[_former(successors=[])]), "successors"),
        (
            _document(XIHU, BINJIANG, former=[_former(successors=["xihu", "binjiang"])]),
            "exactly one",
        ),
        (_document(XIHU, former=[_former(change="renamed")]), "change must be"),
        (_document(XIHU, former=[_former(year="2021年")]), "year"),
    ],
)
def test_malformed_district_files_are_rejected(document: Any, message: str) -> None:
    with pytest.raises(DistrictFileError, match=message):
        DistrictTable.from_document(document)


def test_from_file_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "districts.yml"
    path.write_text("tiers: {}\ndistricts: [{code: xihu}]\n", encoding="utf-8")
    with pytest.raises(DistrictFileError, match=r"districts\.yml"):
        DistrictTable.from_file(path)
