"""Reads what a citizen said about eldercare: place, need, kind of place, budget, relaxations.

Only pure functions of the message text, entities and metadata: the form validators and actions
decide what to do with the result. Words to look for are in ``vocabulary.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypedDict, cast, get_args

import yaml

from actions.clients.eldercare import Condition, FacilityKind, Need
from zhtext.numbers import parse_money_ceiling
from zhtext.places import find_district, get_district
from zhtext.streets import locate

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yml")
NEEDS: tuple[Need, ...] = get_args(Need)
KINDS: tuple[FacilityKind, ...] = get_args(FacilityKind)
UNLIMITED: Literal["unlimited"] = "unlimited"
# The budget of a 助餐 search: never asked, a meal has one price.
NOT_ASKED: Literal["not_asked"] = "not_asked"
Budget = int | Literal["unlimited", "not_asked"]
_SEGMENT = re.compile(r"[，,。.;；!！?？\n]+")
_REFERENCE = re.compile(r"YL\s*-?\s*(\d{8})\s*-?\s*(\d{4})", re.IGNORECASE)
_ORDINAL = re.compile(r"第\s*([一二三四五六七八九1-9])\s*(?:家|个|条)")
_ORDINAL_VALUE = {c: i for i, c in enumerate("一二三四五六七八九", start=1)} | {
    str(i): i for i in range(1, 10)
}


class Area(TypedDict):
    """The search area as the ``eldercare_area`` slot stores it.

    ``source``: "location" (shared), "place" (street or landmark) or "district". ``wide``: the
    citizen agreed to look in the whole city (nearest first from the same origin).
    """

    source: Literal["location", "place", "district"]
    district: str | None
    place: str | None
    lat: float | None
    lon: float | None
    label: str | None
    wide: bool


AreaProblem = Literal["former_split", "needs_location"]


@dataclass(frozen=True)
class KindWords:
    """How citizens name one kind of place, and which needs that kind can meet."""

    words: tuple[str, ...]
    needs: frozenset[Need]
    implies: Need | None


@dataclass(frozen=True)
class Vocabulary:
    """The word lists of ``vocabulary.yml``."""

    needs: Mapping[Need, tuple[str, ...]]
    need_priority: tuple[Need, ...]
    kinds: Mapping[FacilityKind, KindWords]
    not_kinds: tuple[str, ...]
    money_cues: tuple[str, ...]
    unlimited: tuple[str, ...]
    min_budget: int
    relax: Mapping[Condition, tuple[str, ...]]
    nearby: tuple[str, ...]


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary, loaded on first use."""
    with VOCABULARY_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    needs = {cast(Need, key): tuple(words) for key, words in data["needs"].items()}
    kinds = {
        cast(FacilityKind, key): KindWords(
            words=tuple(entry["words"]),
            needs=frozenset(cast(Need, n) for n in entry["needs"]),
            implies=cast(Need | None, entry.get("implies")),
        )
        for key, entry in data["kinds"].items()
    }
    named_needs = set(needs).union(*(k.needs for k in kinds.values()))
    named_needs.update(k.implies for k in kinds.values() if k.implies is not None)
    unknown = named_needs - set(NEEDS)
    if unknown:
        raise ValueError(f"{VOCABULARY_FILE}: unknown needs {sorted(unknown)}")
    if set(kinds) - set(KINDS):
        raise ValueError(f"{VOCABULARY_FILE}: unknown kinds {sorted(set(kinds) - set(KINDS))}")
    return Vocabulary(
        needs=needs,
        need_priority=tuple(cast(Need, n) for n in data["need_priority"]),
        kinds=kinds,
        not_kinds=tuple(data["not_kinds"]),
        money_cues=tuple(data["money_cues"]),
        unlimited=tuple(data["unlimited"]),
        min_budget=int(data["min_budget"]),
        relax={cast(Condition, key): tuple(words) for key, words in data["relax"].items()},
        nearby=tuple(data["nearby"]),
    )


# ---------------------------------------------------------------- message parts


def entity_value(message: Mapping[str, Any], name: str) -> Any:
    """The value of the first entity called ``name`` in the message, or None."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == name:
            return entity.get("value")
    return None


def shared_location(
    message: Mapping[str, Any], metadata: Mapping[str, Any] | None
) -> tuple[float, float] | None:
    """A location the citizen shared: ``lat``/``lon`` entities, else metadata ``location``."""
    lat, lon = entity_value(message, "lat"), entity_value(message, "lon")
    if lat is None and metadata:
        location = metadata.get("location")
        if isinstance(location, Mapping):
            lat, lon = location.get("lat"), location.get("lon")
    try:
        point = (float(lat), float(lon))
    except (TypeError, ValueError):
        return None
    if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        return None
    return point


# ---------------------------------------------------------------- area


def find_area(text: str) -> Area | AreaProblem | None:
    """The district, street or landmark named in ``text``.

    Returns:
        The area; "former_split" for a district abolished and split in 2021 (江干区) with no
        place that settles it; "needs_location" when the citizen says "附近" without a place;
        None when nothing about a place was said.
    """
    found = locate(text)
    if found is not None and found.place is not None:
        return Area(
            source="place",
            # A district named as well ("西湖区文三路") limits the search to it; a place alone
            # ("文三路附近") searches around it, across district borders.
            district=found.district if found.district_candidates else None,
            place=found.place.name,
            lat=found.place.lat,
            lon=found.place.lon,
            label=found.place.name,
            wide=False,
        )
    if found is not None and found.district is not None:
        match = find_district(text)
        label = match.district.name if match and match.district else found.district
        return Area(
            source="district",
            district=found.district,
            place=None,
            lat=found.lat,
            lon=found.lon,
            label=label,
            wide=False,
        )
    if found is not None and found.needs_choice:
        return "former_split"
    if any(word in text for word in vocabulary().nearby):
        return "needs_location"
    return None


def location_area(point: tuple[float, float]) -> Area:
    """The area around a shared location."""
    return Area(
        source="location",
        district=None,
        place=None,
        lat=point[0],
        lon=point[1],
        label=None,
        wide=False,
    )


def district_area(code: str) -> Area | None:
    """The area of a district chosen with a button (``eldercare_district`` entity)."""
    try:
        name = get_district(code).name
    except KeyError:
        return None
    area = find_area(name)
    return area if isinstance(area, dict) else None


# ---------------------------------------------------------------- need, budget, relax


def find_need(text: str) -> Need | None:
    """The care the older person needs, from everyday words ("有点糊涂" → dementia)."""
    words = vocabulary()
    found: dict[Need, int] = {}
    # Longest words first, blanked out once matched: "半失能" must not also count as "失能".
    pairs = sorted(
        ((word, need) for need, group in words.needs.items() for word in group),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    remaining = text
    for word, need in pairs:
        if word in remaining:
            found.setdefault(need, remaining.index(word))
            remaining = remaining.replace(word, " " * len(word))
    for need in words.need_priority:
        if need in found:
            return need
    return None


def find_kind(text: str) -> FacilityKind | None:
    """The kind of place the citizen names ("养老院" → institution, "日托" → day_center).

    Phrases about the older person's body ("吃饭要人喂") are taken out first; when several kinds
    are named, the one named first counts.
    """
    words = vocabulary()
    remaining = text
    for phrase in sorted(words.not_kinds, key=len, reverse=True):
        remaining = remaining.replace(phrase, " " * len(phrase))
    found: dict[FacilityKind, int] = {}
    pairs = sorted(
        ((word, kind) for kind, entry in words.kinds.items() for word in entry.words),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    for word, kind in pairs:
        if word in remaining:
            position = remaining.index(word)
            found[kind] = min(found.get(kind, position), position)
            remaining = remaining.replace(word, " " * len(word))
    if not found:
        return None
    first: FacilityKind = min(found, key=found.__getitem__)
    return first


def reconcile(
    kind: FacilityKind | None, need: Need | None, *, newer: Literal["kind", "need"] | None
) -> tuple[FacilityKind | None, Need | None]:
    """Kind of place and need, made to fit together.

    Both are applied to the search when the kind can meet the need (a 日间照料 centre for a
    半失能 father). When it cannot, the one said later wins: a later need drops the kind (the
    citizen picked 助餐 after "养老院"), a later kind clears the need so it is asked again. A
    kind that stands for a service ("吃饭的地方" → 助餐) sets the need it implies when said at
    the same time as a need it cannot meet. Said together and still not fitting, both stay and
    the search explains that nothing matches.

    Args:
        kind: The kind of place, from this message or earlier.
        need: The need, from this message or earlier.
        newer: Which of the two this message said on its own (None: both, or neither).
    """
    if kind is None or need is None:
        return kind, need
    entry = vocabulary().kinds.get(kind)
    if entry is None or need in entry.needs:
        return kind, need
    if newer == "need":
        return None, need
    if entry.implies is not None:
        return kind, entry.implies
    if newer == "kind":
        return kind, None
    return kind, need


def find_budget(text: str, *, asked: bool) -> Budget | None:
    """The monthly budget in yuan (the upper end of a range: "七八千" → 8000), or "unlimited".

    Args:
        text: The message.
        asked: True when the assistant just asked for the budget: a bare number ("五千") and
            "不限" count; otherwise only a part of the message that talks about money does
            ("八十多了" is an age, "每月五千以内" a budget).
    """
    words = vocabulary()
    segments = [part for part in _SEGMENT.split(text) if part.strip()]
    for segment in segments:
        about_money = any(cue in segment for cue in words.money_cues)
        if not (about_money or asked):
            continue
        if any(word in segment for word in words.unlimited):
            return UNLIMITED
        amount = _amount(segment, minimum=words.min_budget)
        if amount is not None:
            return amount
    return None


def _amount(segment: str, *, minimum: int) -> int | None:
    """The most a segment means per month, skipping numbers below ``minimum`` (ages, floors)."""
    money = parse_money_ceiling(segment, minimum=minimum)
    return None if money is None else int(money.per_month())


def find_relaxations(text: str) -> list[Condition]:
    """Which conditions the citizen wants to relax ("远一点也行" → area), in vocabulary order.

    An amount said without any of the words ("加到八千吧") relaxes the budget.
    """
    found = [
        condition
        for condition, group in vocabulary().relax.items()
        if any(word in text for word in group)
    ]
    if not found and find_budget(text, asked=True) not in (None, UNLIMITED):
        found.append("budget")
    return found


def find_reference(text: str) -> str | None:
    """A visit reference (YL-YYYYMMDD-NNNN), tolerant of case and missing dashes."""
    found = _REFERENCE.search(text)
    return None if found is None else f"YL-{found.group(1)}-{found.group(2)}"


def find_ordinal(text: str) -> int | None:
    """The position named, e.g. "第二家" → 2, for picking from the cards shown."""
    found = _ORDINAL.search(text)
    return None if found is None else _ORDINAL_VALUE[found.group(1)]
