"""Search results: three cards at a time, "换一批", and explaining an empty search."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.eldercare import Condition, Facility, FacilityKind, SearchResult
from actions.eldercare import records, wording
from actions.eldercare.context import outside_any_search, reply_without_search
from actions.eldercare.search_slots import (
    OFFSET,
    PAGE_SIZE,
    RELAX_OPTIONS,
    SHOWN,
    build_query,
    slot_area,
    slot_budget,
    slot_kind,
    slot_need,
    slot_require_vacancy,
)
from actions.eldercare.understanding import Area, Budget

# Response names written out in full, so `scripts/validate_data.py` sees that they are used.
CARD_RESPONSES: dict[FacilityKind, str] = {
    "institution": "utter_eldercare_card_institution",
    "day_center": "utter_eldercare_card_day_center",
    "canteen": "utter_eldercare_card_canteen",
    "family_bed": "utter_eldercare_card_family_bed",
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
        result = await records.api().search(build_query(tracker, offset=offset))
        if result.total and offset >= result.total:
            offset = 0
            dispatcher.utter_message(response="utter_eldercare_results_wrapped", total=result.total)
            result = await records.api().search(build_query(tracker, offset=0))
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
        if outside_any_search(tracker):
            return await reply_without_search(dispatcher, tracker)
        if slot_area(tracker) is None or slot_need(tracker) is None:
            dispatcher.utter_message(response="utter_eldercare_no_search_yet")
            return []
        offset = tracker.get_slot(OFFSET)
        start = int(offset) + PAGE_SIZE if isinstance(offset, int | float) else 0
        return await show_results(dispatcher, tracker, offset=start)
