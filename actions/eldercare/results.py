"""Search results: three cards at a time, "换一批", details, and relaxing an empty search."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError, BackofficeRejectedError
from actions.clients.eldercare import (
    Condition,
    EldercareApi,
    Facility,
    FacilityKind,
    Need,
    SearchQuery,
    SearchResult,
    get_eldercare_api,
)
from actions.eldercare import wording
from actions.eldercare.search_form import AREA, BUDGET, KIND, NEED
from actions.eldercare.turn import message_text
from actions.eldercare.understanding import (
    KINDS,
    NEEDS,
    NOT_ASKED,
    UNLIMITED,
    Area,
    Budget,
    entity_value,
    find_budget,
    find_ordinal,
    find_relaxations,
)

PAGE_SIZE = 3
NEARBY_RADIUS_KM = 5.0
OFFSET, SHOWN, RELAX_OPTIONS = "eldercare_offset", "eldercare_shown", "eldercare_relax_options"
REQUIRE_VACANCY = "eldercare_require_vacancy"
SEARCH_STATE_SLOTS = (AREA, NEED, KIND, BUDGET, OFFSET, SHOWN, RELAX_OPTIONS, REQUIRE_VACANCY)
RELAXABLE: tuple[Condition, ...] = ("area", "budget", "vacancy")
# Response names written out in full, so `scripts/validate_data.py` sees that they are used.
CARD_RESPONSES: dict[FacilityKind, str] = {
    "institution": "utter_eldercare_card_institution",
    "day_center": "utter_eldercare_card_day_center",
    "canteen": "utter_eldercare_card_canteen",
    "family_bed": "utter_eldercare_card_family_bed",
}
DETAILS_RESPONSES: dict[FacilityKind, str] = {
    "institution": "utter_eldercare_details_institution",
    "day_center": "utter_eldercare_details_day_center",
    "canteen": "utter_eldercare_details_canteen",
    "family_bed": "utter_eldercare_details_family_bed",
}
NO_MATCH_RESPONSES: dict[Condition, str] = {
    "area": "utter_eldercare_no_match_area",
    "need": "utter_eldercare_no_match_need",
    "budget": "utter_eldercare_no_match_budget",
    "vacancy": "utter_eldercare_no_match_vacancy",
}
RELAX_RESPONSES: dict[Condition, str] = {
    "area": "utter_eldercare_relax_area",
    "budget": "utter_eldercare_relax_budget",
    "vacancy": "utter_eldercare_relax_vacancy",
}


def api() -> EldercareApi:
    """The back-office API (a function, so tests can swap it)."""
    return get_eldercare_api()


# ---------------------------------------------------------------- reading the slots


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


# ---------------------------------------------------------------- showing results


def card_values(
    facility: Facility, index: int, area: Area | None, budget: Budget | None = None
) -> dict[str, Any]:
    """Placeholders of a card response (the price says what the budget filter compared)."""
    return {
        "index": index,
        "code": facility.code,
        "name": facility.name,
        "kind_label": wording.kind_label(facility),
        "address": facility.address,
        "distance": wording.distance_label(facility, area),
        "vacancies": facility.vacancies if facility.vacancies is not None else 0,
        "price": wording.price_label(facility, budget),
        "meal_price": facility.meal_price or 0,
        "opening_hours": facility.opening_hours or "",
        "phone": facility.phone,
    }


def card_response(facility: Facility) -> str:
    """The card response of a facility's kind."""
    return CARD_RESPONSES[facility.kind]


async def show_results(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, offset: int
) -> list[dict[str, Any]]:
    """Search with the slots' conditions and show one page (or explain an empty result)."""
    area = slot_area(tracker)
    try:
        result = await api().search(build_query(tracker, offset=offset))
        if result.total and offset >= result.total:
            offset = 0
            dispatcher.utter_message(response="utter_eldercare_results_wrapped", total=result.total)
            result = await api().search(build_query(tracker, offset=0))
    except BackofficeError:
        dispatcher.utter_message(response="utter_records_unavailable")
        return []
    if result.total == 0:
        return explain_no_match(dispatcher, tracker, result)
    budget = slot_budget(tracker)
    conditions = wording.conditions_label(
        area, slot_need(tracker), budget, slot_require_vacancy(tracker), slot_kind(tracker)
    )
    if offset == 0:
        sample = any(item.is_sample for item in result.items)
        header = (
            "utter_eldercare_results_header_sample" if sample else "utter_eldercare_results_header"
        )
        dispatcher.utter_message(response=header, total=result.total, conditions=conditions)
    for number, facility in enumerate(result.items, start=offset + 1):
        dispatcher.utter_message(
            response=card_response(facility), **card_values(facility, number, area, budget)
        )
    shown_until = offset + len(result.items)
    if shown_until < result.total:
        dispatcher.utter_message(
            response="utter_eldercare_results_more", remaining=result.total - shown_until
        )
    else:
        dispatcher.utter_message(response="utter_eldercare_results_last", total=result.total)
    return [
        SlotSet(OFFSET, offset),
        SlotSet(SHOWN, [item.code for item in result.items]),
        SlotSet(RELAX_OPTIONS, None),
    ]


def explain_no_match(
    dispatcher: CollectingDispatcher, tracker: Tracker, result: SearchResult
) -> list[dict[str, Any]]:
    """Say which condition excluded everything and offer the relaxations that would help."""
    area = slot_area(tracker)
    need = slot_need(tracker)
    kind = slot_kind(tracker)
    budget = slot_budget(tracker)
    relax_budget = next(
        (r.budget for r in result.relaxations if r.condition == "budget" and r.count), None
    )
    excluded_by = result.excluded_by or "need"
    values: dict[str, Any] = {
        "area": wording.area_label(area),
        "need": wording.need_label(need),
        "budget": budget if isinstance(budget, int) else "",
    }
    if excluded_by == "budget" and relax_budget is not None:
        dispatcher.utter_message(
            response="utter_eldercare_no_match_budget_from", lowest=relax_budget, **values
        )
    elif excluded_by == "need" and kind is not None:
        dispatcher.utter_message(
            response="utter_eldercare_no_match_need_kind",
            kind=wording.kind_filter_label(kind),
            **values,
        )
    else:
        dispatcher.utter_message(response=NO_MATCH_RESPONSES[excluded_by], **values)
    return offer_relaxations(dispatcher, result)


def offer_relaxations(
    dispatcher: CollectingDispatcher, result: SearchResult
) -> list[dict[str, Any]]:
    """One button per condition whose relaxing alone would give results (or say none would)."""
    options: dict[str, int] = {}
    for relaxation in result.relaxations:
        if relaxation.count <= 0:
            continue
        options[relaxation.condition] = relaxation.budget or relaxation.count
        dispatcher.utter_message(
            response=RELAX_RESPONSES[relaxation.condition],
            count=relaxation.count,
            budget=relaxation.budget or "",
        )
    dispatcher.utter_message(
        response="utter_eldercare_relax_footer" if options else "utter_eldercare_relax_none"
    )
    return [SlotSet(RELAX_OPTIONS, options or None), SlotSet(SHOWN, [])]


class ActionSearchFacilities(Action):
    """Shows the first page of results for the search form's conditions."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_search_facilities"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Search and show three cards."""
        return await show_results(dispatcher, tracker, offset=0)


class ActionShowMoreFacilities(Action):
    """换一批: the next three results (from the first again after the last page)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_show_more_facilities"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Show the next page, or ask for the conditions when there was no search yet."""
        if slot_area(tracker) is None or slot_need(tracker) is None:
            dispatcher.utter_message(response="utter_eldercare_no_search_yet")
            return []
        offset = tracker.get_slot(OFFSET)
        start = int(offset) + PAGE_SIZE if isinstance(offset, int | float) else 0
        return await show_results(dispatcher, tracker, offset=start)


class ActionRelaxFacilitySearch(Action):
    """Relaxes the condition the citizen names after an empty search, and searches again.

    A button names the condition; free text is read with ``vocabulary.yml`` ("钱可以多花点" →
    budget, "满的也行" → vacancy, "别的区也可以" → area). When nothing is recognised the
    assistant asks with the buttons again instead of guessing; when the condition named would
    not help on its own it says so and offers those that would.
    """

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_relax_facility_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Apply the chosen relaxations and search again, or ask which one."""
        options = tracker.get_slot(RELAX_OPTIONS) or {}
        chosen = entity_value(tracker.latest_message, "eldercare_relax")
        wanted = [chosen] if chosen in RELAXABLE else find_relaxations(message_text(tracker))
        if not options:
            return await widen_shown_search(dispatcher, tracker, wanted)
        helpful = [
            condition for condition in RELAXABLE if condition in wanted and condition in options
        ]
        if not helpful:
            if wanted:
                dispatcher.utter_message(
                    response="utter_eldercare_relax_not_helping",
                    condition=wording.relax_condition_label(wanted[0]),
                )
            else:
                dispatcher.utter_message(response="utter_eldercare_relax_which")
            return await reoffer_relaxations(dispatcher, tracker)
        events: list[dict[str, Any]] = []
        for condition in helpful:
            events += relaxation_events(tracker, condition, options)
        for event in events:
            tracker.slots[event["name"]] = event["value"]
        return events + await show_results(dispatcher, tracker, offset=0)


async def widen_shown_search(
    dispatcher: CollectingDispatcher, tracker: Tracker, wanted: list[Condition]
) -> list[dict[str, Any]]:
    """Widen a search that did find places: "钱可以多花点", "别的区也行", "满的也行".

    The named conditions that are set are widened and the search runs again. A higher budget
    needs an amount: "预算加到八千" is used as said, "钱可以多花点" gets the question how much
    (the answer is a search condition, which searches again with it).
    """
    text = message_text(tracker)
    events: list[dict[str, Any]] = []
    for condition in wanted:
        if condition == "area":
            area = slot_area(tracker)
            if area is not None and not area.get("wide"):
                events.append(SlotSet(AREA, {**area, "wide": True}))
        elif condition == "vacancy":
            if tracker.get_slot(REQUIRE_VACANCY) is not False:
                events.append(SlotSet(REQUIRE_VACANCY, False))
        elif condition == "budget" and isinstance(current := slot_budget(tracker), int):
            said = find_budget(text, asked=True)
            if said == UNLIMITED or (isinstance(said, int) and said > current):
                events.append(SlotSet(BUDGET, said))
            elif not events:
                dispatcher.utter_message(response="utter_eldercare_relax_budget_amount")
                return []
    if not events:
        dispatcher.utter_message(response="utter_eldercare_relax_unavailable")
        return []
    for event in events:
        tracker.slots[event["name"]] = event["value"]
    return events + await show_results(dispatcher, tracker, offset=0)


async def reoffer_relaxations(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[dict[str, Any]]:
    """The relaxation buttons again, counted afresh (places may have changed meanwhile)."""
    try:
        result = await api().search(build_query(tracker, offset=0))
    except BackofficeError:
        dispatcher.utter_message(response="utter_records_unavailable")
        return []
    if result.total:
        return await show_results(dispatcher, tracker, offset=0)
    return offer_relaxations(dispatcher, result)


def relaxation_events(
    tracker: Tracker, condition: Condition, options: dict[str, int]
) -> list[dict[str, Any]]:
    """The slot changes that relax ``condition``.

    The budget goes up to the amount the citizen said ("预算加到八千") when it is above the
    current one (or is lifted for "预算不限"), else to the lowest price that gives a result.
    """
    if condition == "area":
        area = dict(slot_area(tracker) or {})
        area["wide"] = True
        return [SlotSet(AREA, area)]
    if condition == "budget":
        said = find_budget(message_text(tracker), asked=True)
        current = slot_budget(tracker)
        if said == UNLIMITED or (
            isinstance(said, int) and isinstance(current, int) and said > current
        ):
            return [SlotSet(BUDGET, said)]
        return [SlotSet(BUDGET, int(options["budget"]))]
    return [SlotSet(REQUIRE_VACANCY, False)]


class ActionResetEldercareSearch(Action):
    """重新筛选: forgets the search conditions so the form asks them again."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_reset_eldercare_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Clear the search slots."""
        return [SlotSet(slot, None) for slot in SEARCH_STATE_SLOTS]


# ---------------------------------------------------------------- details


def chosen_facility(tracker: Tracker) -> str | None:
    """The facility a message points at: a button's code, or "第二家" among the cards shown."""
    code = entity_value(tracker.latest_message, "eldercare_facility")
    if isinstance(code, str) and code:
        return code
    ordinal = find_ordinal(message_text(tracker))
    shown = tracker.get_slot(SHOWN) or []
    offset = tracker.get_slot(OFFSET)
    if ordinal is None or not shown:
        return None
    start = int(offset) if isinstance(offset, int | float) else 0
    # Cards are numbered across pages (4, 5, 6 on the second); "第一家" also means the first shown.
    position = ordinal - start - 1 if ordinal > start else ordinal - 1
    return str(shown[position]) if 0 <= position < len(shown) else None


def details_values(facility: Facility) -> dict[str, Any]:
    """Placeholders of a details response."""
    return {
        "code": facility.code,
        "name": facility.name,
        "kind_label": wording.kind_label(facility),
        "address": facility.address,
        "district": facility.district_name,
        "street": facility.street,
        "phone": facility.phone,
        "total_beds": facility.total_beds or 0,
        "nursing_beds": facility.nursing_beds or 0,
        "vacancies": facility.vacancies if facility.vacancies is not None else 0,
        "dementia_unit": wording.yes_no(facility.dementia_care),
        "price": wording.price_label(facility),
        "meal_price": facility.meal_price or 0,
        "opening_hours": facility.opening_hours or "",
        "needs": wording.needs_label(facility.needs),
    }


class ActionShowFacilityDetails(Action):
    """详情: everything known about one facility, with 预约参观 where visits are taken."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_show_facility_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Fetch and show the facility."""
        code = chosen_facility(tracker)
        if code is None:
            dispatcher.utter_message(response="utter_eldercare_which_facility")
            return []
        try:
            facility = await api().facility(code)
        except BackofficeRejectedError:
            dispatcher.utter_message(response="utter_eldercare_facility_unknown")
            return []
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return []
        dispatcher.utter_message(
            response=DETAILS_RESPONSES[facility.kind], **details_values(facility)
        )
        if facility.is_sample:
            dispatcher.utter_message(response="utter_eldercare_sample_notice")
        return []
