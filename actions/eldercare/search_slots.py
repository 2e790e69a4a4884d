"""The search conditions held in slots, read back, and the back-office query they make."""

from __future__ import annotations

from rasa_sdk.interfaces import Tracker

from actions.clients.eldercare import FacilityKind, Need, SearchQuery
from actions.eldercare.search_form import AREA, BUDGET, KIND, NEED
from actions.eldercare.understanding import KINDS, NEEDS, NOT_ASKED, UNLIMITED, Area, Budget

PAGE_SIZE = 3
NEARBY_RADIUS_KM = 5.0
OFFSET, SHOWN, RELAX_OPTIONS = "eldercare_offset", "eldercare_shown", "eldercare_relax_options"
REQUIRE_VACANCY = "eldercare_require_vacancy"
SEARCH_STATE_SLOTS = (AREA, NEED, KIND, BUDGET, OFFSET, SHOWN, RELAX_OPTIONS, REQUIRE_VACANCY)


def slot_area(tracker: Tracker) -> Area | None:
    """The search area slot, when it is well-formed."""
    area = tracker.get_slot(AREA)
    return area if isinstance(area, dict) and area.get("lat") is not None else None  # type: ignore[return-value]


def slot_need(tracker: Tracker) -> Need | None:
    """The need slot, when known."""
    need = tracker.get_slot(NEED)
    return next((n for n in NEEDS if n == need), None)


def slot_kind(tracker: Tracker) -> FacilityKind | None:
    """The kind of place the citizen named ("养老院" → institution), when any."""
    kind = tracker.get_slot(KIND)
    return next((k for k in KINDS if k == kind), None)


def slot_budget(tracker: Tracker) -> Budget | None:
    """The budget slot: yuan per month, "unlimited" or None."""
    budget = tracker.get_slot(BUDGET)
    if budget in (UNLIMITED, NOT_ASKED):
        return UNLIMITED
    return int(budget) if isinstance(budget, int | float) else None


def slot_require_vacancy(tracker: Tracker) -> bool:
    """Whether only places with vacancies are shown (the default)."""
    return tracker.get_slot(REQUIRE_VACANCY) is not False


def build_query(tracker: Tracker, *, offset: int) -> SearchQuery:
    """The back-office query for the conditions in the slots."""
    area = slot_area(tracker)
    budget = slot_budget(tracker)
    kind = slot_kind(tracker)
    query = SearchQuery(
        need=slot_need(tracker),
        kinds=None if kind is None else [kind],
        budget=None if budget in (None, UNLIMITED) else int(budget),
        require_vacancy=slot_require_vacancy(tracker),
        offset=offset,
        limit=PAGE_SIZE,
    )
    if area is None:
        return query
    wide = bool(area.get("wide"))
    # Distances are always measured from the area's point (place, location, district centre).
    query.lat, query.lon = area["lat"], area["lon"]
    if not wide:
        query.district = area.get("district")
        if area["source"] != "district" and query.district is None:
            query.radius_km = NEARBY_RADIUS_KM
    return query
