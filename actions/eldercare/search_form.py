"""``eldercare_search_form``: where, what care, what budget — asking only what is missing."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.eldercare.turn import SearchTurn
from actions.eldercare.understanding import NEEDS, NOT_ASKED, UNLIMITED

AREA, NEED, BUDGET = "eldercare_area", "eldercare_need", "eldercare_budget"
SEARCH_SLOTS = (AREA, NEED, BUDGET)
# Intents that start a new search: what the message does not say is asked again.
FRESH_START_INTENTS = frozenset({"request_eldercare"})
_NOT_UNDERSTOOD = {
    AREA: "utter_eldercare_area_not_understood",
    NEED: "utter_eldercare_need_not_understood",
    BUDGET: "utter_eldercare_budget_not_understood",
}


def _fresh_start(turn: SearchTurn) -> bool:
    return turn.requested is None and turn.intent in FRESH_START_INTENTS


def _missed(dispatcher: CollectingDispatcher, turn: SearchTurn, slot: str) -> dict[str, Any]:
    """The answer to the question just asked was not understood: say so, and ask again.

    Setting the slot to None (it is None already) keeps the form running, so the form asks the
    same question again instead of handing the message to the fallback.
    """
    if turn.understood:
        return {}  # the citizen answered something else ("换成拱墅区"): no complaint
    dispatcher.utter_message(response=_NOT_UNDERSTOOD[slot])
    return {slot: None}


class ValidateEldercareSearchForm(FormValidationAction):
    """Fills area, need and budget from free text, buttons or a shared location."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_eldercare_search_form"

    async def extract_eldercare_area(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A district, street, landmark or shared location."""
        turn = SearchTurn.read(tracker)
        if turn.digression:
            return {}
        if isinstance(turn.area, dict):
            return {AREA: turn.area}
        if turn.area == "former_split":
            dispatcher.utter_message(response="utter_eldercare_area_former_split")
            return {AREA: None}
        if turn.area == "needs_location" and turn.requested in (AREA, None):
            dispatcher.utter_message(response="utter_eldercare_area_needs_location")
            return {AREA: None}
        if turn.requested == AREA:
            return _missed(dispatcher, turn, AREA)
        return {AREA: None} if _fresh_start(turn) else {}

    async def extract_eldercare_need(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """失能 / 半失能 / 认知症 / 助餐 / 日间照料 / 短期托养, from everyday words or a button."""
        turn = SearchTurn.read(tracker)
        if turn.digression:
            return {}
        if turn.need is not None:
            return {NEED: turn.need}
        if turn.requested == NEED:
            return _missed(dispatcher, turn, NEED)
        return {NEED: None} if _fresh_start(turn) else {}

    async def extract_eldercare_budget(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The monthly budget in yuan, or "unlimited"."""
        turn = SearchTurn.read(tracker)
        if turn.digression:
            return {}
        if turn.budget is not None:
            return {BUDGET: turn.budget}
        if turn.requested == BUDGET:
            return _missed(dispatcher, turn, BUDGET)
        return {BUDGET: None} if _fresh_start(turn) else {}

    async def validate_eldercare_area(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep a well-formed area; a new area starts the results from the first page."""
        if not isinstance(value, dict) or value.get("lat") is None:
            return {AREA: None}
        return {AREA: value, **_new_conditions()}

    async def validate_eldercare_need(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep a known need; 助餐 needs no budget question (a meal has one price)."""
        if value not in NEEDS:
            return {NEED: None}
        values: dict[str, Any] = {NEED: value, **_new_conditions()}
        budget = tracker.get_slot(BUDGET)
        if value == "meals" and budget is None:
            values[BUDGET] = NOT_ASKED
        elif value != "meals" and budget == NOT_ASKED:
            values[BUDGET] = None  # now the budget matters: ask it
        return values

    async def validate_eldercare_budget(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep a positive amount or "unlimited"."""
        if value is None and tracker.get_slot(NEED) == "meals":
            return {BUDGET: NOT_ASKED}
        if value in (UNLIMITED, NOT_ASKED) or (isinstance(value, int | float) and value > 0):
            kept = value if value in (UNLIMITED, NOT_ASKED) else int(value)
            return {BUDGET: kept, **_new_conditions()}
        return {BUDGET: None}


def _new_conditions() -> dict[str, Any]:
    """Changed conditions: show results from the first page, with vacancies only."""
    return {"eldercare_offset": 0, "eldercare_require_vacancy": True}
