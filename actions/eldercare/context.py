"""A search condition said outside the search form ("萧山区的", "四千以内").

After an earlier search it searches again with the new condition (the rule runs the form next).
In a conversation without a search, and without words that ask for a place (the EvidenceGate
then marks the message with ``service_candidate``), the assistant asks back instead of guessing
a service: "您是想找养老机构吗？" — when the message holds a condition the search could use;
otherwise it is no condition at all (``actions.context_answers``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.confirm_service import ask_back, service_candidate
from actions.context_answers import answer_as_unplaced
from actions.eldercare.turn import SearchTurn

SEARCH_INTENT = "request_eldercare"
EARLIER_SEARCH_STEPS = frozenset({"action_search_facilities", "eldercare_search_form"})


def searched_before(tracker: Tracker) -> bool:
    """Whether this conversation already ran an eldercare search."""
    return any(
        event.get("event") == "action" and event.get("name") in EARLIER_SEARCH_STEPS
        for event in tracker.events
    )


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
    if not SearchTurn.read(tracker).understood:
        return await answer_as_unplaced(dispatcher, tracker)
    return ask_back(dispatcher, SEARCH_INTENT)
