"""Widening a search (the condition named after an empty or narrow search), and 重新筛选."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.eldercare import Condition
from actions.eldercare import records, wording
from actions.eldercare.context import outside_any_search, reply_without_search
from actions.eldercare.results import offer_relaxations, show_results
from actions.eldercare.search_form import AREA, BUDGET
from actions.eldercare.search_slots import (
    RELAX_OPTIONS,
    REQUIRE_VACANCY,
    SEARCH_STATE_SLOTS,
    build_query,
    slot_area,
    slot_budget,
)
from actions.eldercare.turn import message_text
from actions.eldercare.understanding import UNLIMITED, entity_value, find_budget, find_relaxations

RELAXABLE: tuple[Condition, ...] = ("area", "budget", "vacancy")


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
        if outside_any_search(tracker):
            return await reply_without_search(dispatcher, tracker)
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
        result = await records.api().search(build_query(tracker, offset=0))
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
    """重新筛选: forgets the search conditions so the form asks them again.

    Before any search the message is read like a condition said outside the search
    (``actions.eldercare.context.reply_without_search``): "搜索一下这份文件" opens no search.
    """

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_reset_eldercare_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Clear the search slots (the rule runs the form next), or reply without a search."""
        if outside_any_search(tracker):
            return await reply_without_search(dispatcher, tracker)
        return [SlotSet(slot, None) for slot in SEARCH_STATE_SLOTS]
