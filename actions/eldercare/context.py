"""A search condition said outside the search form ("萧山区的", "四千以内").

After an earlier search it searches again with the new condition (the rule runs the form next).
In a conversation without a search, and without words that ask for a place (the EvidenceGate
then marks the message with ``service_candidate``), the assistant asks back instead of guessing
a service: "您是想找养老机构吗？" — when the message holds a condition the search could use;
otherwise it is no condition at all (``actions.context_answers``), and neither is another
department's business that names a district ("萧山区公积金中心在哪" is the housing fund's).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.confirm_service import ask_back, service_candidate
from actions.context_answers import answer_as_unplaced
from actions.eldercare.search_slots import OFFSET, RELAX_OPTIONS, SHOWN
from actions.eldercare.turn import SearchTurn
from actions.knowledge import knowledge_reply_kind

SEARCH_INTENT = "request_eldercare"
EARLIER_SEARCH_STEPS = frozenset({"action_search_facilities", "eldercare_search_form"})
# Slots a search fills with what it found (the page shown, the conditions it could relax).
SEARCH_RESULT_SLOTS = (OFFSET, SHOWN, RELAX_OPTIONS)


def searched_before(tracker: Tracker) -> bool:
    """Whether this conversation already ran an eldercare search."""
    return any(
        event.get("event") == "action" and event.get("name") in EARLIER_SEARCH_STEPS
        for event in tracker.events
    )


def outside_any_search(tracker: Tracker) -> bool:
    """No search ran in this conversation, none left results behind, and no form is running.

    "重新筛选", "换一批" or "别的区也行" mean something only after a search; before one, the
    classifier's guess is no reason to speak about a search (``reply_without_search``).
    """
    results_kept = any(tracker.get_slot(slot) is not None for slot in SEARCH_RESULT_SLOTS)
    return not (searched_before(tracker) or results_kept or tracker.active_loop_name)


class ActionCheckEldercareContext(Action):
    """Lets the search form read the condition, or asks back when nothing gives it a meaning."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_check_eldercare_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Nothing (the form follows), or the ask-back question and the citizen's turn."""
        if service_candidate(tracker) and not searched_before(tracker):
            return await reply_without_search(dispatcher, tracker)
        return []


async def reply_without_search(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[dict[str, Any]]:
    """Ask back ("您是想找养老机构吗？") if the message holds a search condition, else unplaced."""
    understood = SearchTurn.read(tracker).understood
    if not understood or knowledge_reply_kind(tracker) == "other_agency":
        return await answer_as_unplaced(dispatcher, tracker)
    return ask_back(dispatcher, SEARCH_INTENT)
