"""Facility search: filters, nearest first, and what to relax when nothing matches."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.records.eldercare.facilities import NEED_FLAGS
from backoffice.records.eldercare.models import EldercareFacility
from backoffice.records.eldercare.refusals import refusal
from backoffice.records.eldercare.schemas import Condition, SearchQuery
from zhtext.places import default_table
from zhtext.streets import default_place_table, distance_km

# Order in which conditions are applied when explaining an empty result.
CONDITIONS: tuple[Condition, ...] = get_args(Condition)


@dataclass(frozen=True)
class SearchOrigin:
    """Where distances were measured from."""

    lat: float
    lon: float
    source: Literal["location", "place", "district"]
    label: str | None = None


@dataclass(frozen=True)
class Relaxed:
    """How many facilities relaxing one condition would give (for "budget": the lowest budget)."""

    condition: Condition
    count: int
    budget: int | None = None


@dataclass(frozen=True)
class FacilityMatch:
    """A facility that met the query, and its distance from the origin (None without one)."""

    facility: EldercareFacility
    distance: float | None


@dataclass
class FacilitySearch:
    """One page of matches, nearest first, and what to relax when none match."""

    total: int
    offset: int
    page: list[FacilityMatch]
    origin: SearchOrigin | None
    excluded_by: Condition | None = None
    relaxations: list[Relaxed] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    facility: EldercareFacility
    distance: float | None
    passes: Mapping[Condition, bool]

    def passes_all_but(self, skipped: Condition | None) -> bool:
        return all(ok for condition, ok in self.passes.items() if condition != skipped)


def resolve_origin(query: SearchQuery) -> SearchOrigin | None:
    """Where to measure distances from: shared location, else place, else district centre.

    Raises:
        ApiError: ``unknown_district`` or ``unknown_place``.
    """
    if query.district is not None:
        try:
            default_table().get(query.district)
        except KeyError:
            raise refusal("unknown_district") from None
    if (query.lat is None) != (query.lon is None):
        raise refusal("incomplete_location")
    if query.lat is not None and query.lon is not None:
        return SearchOrigin(lat=query.lat, lon=query.lon, source="location")
    if query.place is not None:
        try:
            place = default_place_table().get(query.place)
        except KeyError:
            raise refusal("unknown_place") from None
        return SearchOrigin(lat=place.lat, lon=place.lon, source="place", label=place.name)
    if query.district is not None:
        lat, lon = default_place_table().centre(query.district)
        label = default_table().get(query.district).name
        return SearchOrigin(lat=lat, lon=lon, source="district", label=label)
    return None


def search_facilities(*, session: Session, query: SearchQuery) -> FacilitySearch:
    """Facilities that meet every condition, nearest first, one page at a time.

    When none match, ``excluded_by`` names the first condition (in the order area, need, budget,
    vacancy) after which nothing was left, and ``relaxations`` says how many facilities dropping
    each of area, budget and vacancy alone would give (with the lowest budget that helps).

    Raises:
        ApiError: For an unknown district or place, or a half-given location.
    """
    origin = resolve_origin(query)
    checks = _condition_checks(query, origin)
    candidates = []
    for facility in session.scalars(select(EldercareFacility)):
        distance = (
            None
            if origin is None
            else distance_km(origin.lat, origin.lon, facility.lat, facility.lon)
        )
        passes = {name: check(facility, distance) for name, check in checks.items()}
        candidates.append(_Candidate(facility, distance, passes))
    matches = sorted(
        (c for c in candidates if c.passes_all_but(None)),
        key=lambda c: (c.distance if c.distance is not None else 0.0, c.facility.code),
    )
    page = matches[query.offset : query.offset + query.limit]
    result = FacilitySearch(
        total=len(matches),
        offset=query.offset,
        page=[FacilityMatch(c.facility, c.distance) for c in page],
        origin=origin,
    )
    if not matches:
        result.excluded_by = _first_excluding(candidates)
        result.relaxations = _relaxations(query, candidates)
    return result


def _condition_checks(
    query: SearchQuery, origin: SearchOrigin | None
) -> dict[Condition, Callable[[EldercareFacility, float | None], bool]]:
    def area(facility: EldercareFacility, distance: float | None) -> bool:
        if query.district is not None and facility.district_code != query.district:
            return False
        return query.radius_km is None or distance is None or distance <= query.radius_km

    def need(facility: EldercareFacility, _distance: float | None) -> bool:
        if query.kinds and facility.kind not in query.kinds:
            return False
        return query.need is None or bool(getattr(facility, NEED_FLAGS[query.need]))

    def budget(facility: EldercareFacility, _distance: float | None) -> bool:
        if query.budget is None or facility.price_min is None:
            return True
        return facility.price_min <= query.budget

    def vacancy(facility: EldercareFacility, _distance: float | None) -> bool:
        return not query.require_vacancy or facility.vacancies is None or facility.vacancies > 0

    if query.radius_km is not None and origin is None:
        raise refusal("radius_without_origin")
    return {"area": area, "need": need, "budget": budget, "vacancy": vacancy}


def _first_excluding(candidates: Sequence[_Candidate]) -> Condition | None:
    remaining = list(candidates)
    for condition in CONDITIONS:
        remaining = [c for c in remaining if c.passes[condition]]
        if not remaining:
            return condition
    return None


def _relaxations(query: SearchQuery, candidates: Sequence[_Candidate]) -> list[Relaxed]:
    relaxations = []
    relaxable: tuple[Condition, ...] = ("area", "budget", "vacancy")
    for condition in relaxable:
        if condition == "area" and query.district is None and query.radius_km is None:
            continue
        if condition == "budget" and query.budget is None:
            continue
        if condition == "vacancy" and not query.require_vacancy:
            continue
        freed = [c for c in candidates if c.passes_all_but(condition)]
        budget = None
        if condition == "budget" and freed:
            budget = min(c.facility.price_min or 0 for c in freed)
        relaxations.append(Relaxed(condition=condition, count=len(freed), budget=budget))
    return relaxations
