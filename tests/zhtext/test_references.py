"""Reference numbers in free text (zhtext.references)."""

from __future__ import annotations

from zhtext.references import find_references


def test_every_kind_of_reference_is_found_once_in_order() -> None:
    texts = [
        "已为您预约，预约号 HY-20261207-0003，请按时到场。",
        "我的预审编号是ys-20261201-3fa2c1，捐款是ＣＳ－20261130－0012",
        "还是 HY-20261207-0003 这个预约",
        "参观 YL-20261210-0001；物资 CW-20261130-0002",
    ]
    assert find_references(texts) == [
        "HY-20261207-0003",
        "YS-20261201-3FA2C1",
        "CS-20261130-0012",
        "YL-20261210-0001",
        "CW-20261130-0002",
    ]


def test_look_alikes_are_not_references() -> None:
    assert find_references(["电话 0571-87008174", "XHY-20261207-0003", "HY-2026127-0003"]) == []
