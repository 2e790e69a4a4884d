"""core.nested: walking every string of a nested value."""

from __future__ import annotations

from core.nested import strings_in


def test_strings_in_walks_dict_values_and_list_items_in_order() -> None:
    value = {"name": "张三", "ids": ["3301", {"note": "备注", "count": 3}], "flag": True}
    assert list(strings_in(value)) == ["张三", "3301", "备注"]


def test_a_plain_string_is_its_own_only_string_and_other_scalars_have_none() -> None:
    assert list(strings_in("转人工")) == ["转人工"]
    assert list(strings_in(42)) == []
    assert list(strings_in(None)) == []
    assert list(strings_in({"only_a_key": 1})) == []
