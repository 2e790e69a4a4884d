"""Words and phrases put into the eldercare responses, read from ``wording.yml``.

The sentences themselves are responses in bot/domain/eldercare.yml; this module only fills in
their placeholders (kind of facility, distance, area, date …) from the editor's word list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from actions.clients.eldercare import Condition, Facility, FacilityKind, HalfDay, Need
from actions.eldercare.understanding import Area, Budget

WORDING_FILE = Path(__file__).with_name("wording.yml")


@cache
def wording() -> Mapping[str, Any]:
    """The word list, loaded on first use."""
    with WORDING_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def kind_label(facility: Facility) -> str:
    """The kind as citizens read it, e.g. "公办养老机构", "居家养老服务照料中心"."""
    words = wording()
    kind = str(words["kind"][facility.kind])
    if facility.kind == "institution" and facility.ownership:
        return f"{words['ownership'][facility.ownership]}{kind}"
    return kind


def need_label(need: Need | None) -> str:
    """The need as citizens read it, e.g. "认知症照护"; empty for no need."""
    return "" if need is None else str(wording()["need"][need])


def needs_label(needs: list[Need]) -> str:
    """The needs a facility meets, listed."""
    separator = str(wording()["list_separator"])
    return separator.join(need_label(need) for need in needs)


def kind_filter_label(kind: FacilityKind | None) -> str:
    """The kind of place a search is limited to, e.g. "日间照料中心"; empty for any kind."""
    return "" if kind is None else str(wording()["kind_filter"][kind])


def relax_condition_label(condition: Condition) -> str:
    """The condition as said when relaxing it, e.g. "预算"."""
    return str(wording()["relax_condition"][condition])


def yes_no(value: bool) -> str:
    """有 / 无."""
    return str(wording()["yes_no"]["true" if value else "false"])


def distance_label(facility: Facility, area: Area | None) -> str:
    """E.g. "距文三路约 1.2 公里", "距您约 0.8 公里"; empty when there is no distance."""
    if area is None or facility.distance_km is None:
        return ""
    template = str(wording()["distance"][area["source"]])
    return template.format(km=f"{facility.distance_km:.1f}", label=area.get("label") or "")


def area_label(area: Area | None) -> str:
    """The area as citizens read it, e.g. "西湖区", "文三路附近", "全市范围"."""
    words = wording()["area"]
    if area is None:
        return str(words["city"])
    if area.get("wide"):
        if area.get("label"):
            return str(words["wide_from_place"]).format(label=area["label"])
        return str(words["city"])
    if area["source"] == "location":
        return str(words["location"])
    return str(words[area["source"]]).format(label=area.get("label") or "")


def budget_label(budget: Budget | None) -> str:
    """E.g. "每月 5000 元以内" or "预算不限"."""
    words = wording()["budget"]
    if not isinstance(budget, int):
        return str(words["unlimited"])
    return str(words["amount"]).format(amount=budget)


def vacancy_label(require_vacancy: bool) -> str:
    """E.g. "有空位" or "含暂无空位的"."""
    return str(wording()["vacancy"]["required" if require_vacancy else "any"])


def conditions_label(
    area: Area | None,
    need: Need | None,
    budget: Budget | None,
    require_vacancy: bool,
    kind: FacilityKind | None = None,
) -> str:
    """All search conditions in one line: "西湖区，认知症照护，每月 5000 元以内，有空位".

    A kind of place the citizen named comes after the area: "西湖区，日间照料中心，半失能照护…"
    (without the need when the kind says it already: "西湖区，老年食堂").
    """
    covered = kind is not None and wording()["kind_covers_need"].get(kind) == need
    parts = [area_label(area), kind_filter_label(kind), "" if covered else need_label(need)]
    if need != "meals":
        parts += [budget_label(budget), vacancy_label(require_vacancy)]
    return str(wording()["separator"]).join(part for part in parts if part)


def date_label(day: dt.date) -> str:
    """E.g. "12月3日（周四）"."""
    words = wording()
    weekday = words["weekday"][day.weekday()]
    return str(words["date"]).format(month=day.month, day=day.day, weekday=weekday)


def half_day_label(half_day: HalfDay) -> str:
    """E.g. "上午（9:00–11:30）"."""
    return str(wording()["half_day"][half_day])


def price_label(facility: Facility, budget: Budget | None = None) -> str:
    """The monthly price with its unit, honest about what a budget search compared.

    The budget filter keeps a facility whose lowest price is within the budget, so a range is
    shown as "4200 元起，最高 7800 元", with a note when the highest price is over the budget.
    Empty when there is no price.
    """
    if facility.price_min is None:
        return ""
    words = wording()["price"]
    low, high = facility.price_min, facility.price_max
    if high is None or high == low:
        return str(words["single"]).format(low=low)
    if isinstance(budget, int) and low <= budget < high:
        return str(words["over_budget"]).format(low=low, high=high, budget=budget)
    return str(words["from"]).format(low=low, high=high)
