"""``eldercare_search_form``: where, what care, what budget — asking only what is missing.

The kind of place ("养老院", "日托", "老年食堂") is never asked: when the citizen names one it is
kept in ``eldercare_kind`` next to the need (see ``understanding.reconcile``) and limits the
search to that kind.
"""

from __future__ import annotations

from typing import Any, Literal

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.eldercare.turn import SearchTurn
from actions.eldercare.understanding import KINDS, NEEDS, NOT_ASKED, UNLIMITED, reconcile

AREA, NEED, BUDGET = "eldercare_area", "eldercare_need", "eldercare_budget"
KIND = "eldercare_kind"
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
        """失能 / 半失能 / 认知症 / 助餐 / 日间照料 / 短期托养, from everyday words or a button.

        Also the kind of place named ("养老院", "白天照顾的地方"), made to fit the need.
        """
        turn = SearchTurn.read(tracker)
        if turn.digression:
            return {}
        fresh = _fresh_start(turn)
        old_kind = None if fresh else _known(tracker.get_slot(KIND), KINDS)
        old_need = None if fresh else _known(tracker.get_slot(NEED), NEEDS)
        newer: Literal["kind", "need"] | None = None
        if (turn.need is None) != (turn.kind is None):
            newer = "need" if turn.need is not None else "kind"
        kind, need = reconcile(turn.kind or old_kind, turn.need or old_need, newer=newer)
        values: dict[str, Any] = {}
        if kind != tracker.get_slot(KIND):
            values[KIND] = kind
        if need is not None and (turn.need is not None or need != old_need):
            values[NEED] = need
        elif need is None and old_need is not None:
            values[NEED] = None  # the kind named now cannot meet it: ask again
        elif turn.requested == NEED and not turn.understood:
            return _missed(dispatcher, turn, NEED)
        elif fresh:
            values[NEED] = None
        if KIND in values and NEED not in values:
            # Only slots the form requires survive validation: the kind rides along with the
            # need (validate_eldercare_need passes it on).
            values[NEED] = tracker.get_slot(NEED)
        return values

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
        """Keep a known need; 助餐 needs no budget question (a meal has one price).

        The kind of place extracted with the need is passed on here (see extract_eldercare_need).
        """
        kind = _known(tracker.get_slot(KIND), KINDS)
        if value not in NEEDS:
            return {NEED: None, KIND: kind}
        values: dict[str, Any] = {NEED: value, KIND: kind, **_new_conditions()}
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


def _known(value: Any, allowed: tuple[str, ...]) -> Any:
    return value if value in allowed else None


def _new_conditions() -> dict[str, Any]:
    """Changed conditions: show results from the first page, with vacancies only."""
    return {"eldercare_offset": 0, "eldercare_require_vacancy": True}
