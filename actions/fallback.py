"""Low NLU confidence: a confident knowledge-base answer first, then the not-understood path."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.knowledge import answer_or_fall_back


class ActionHandleFallback(Action):
    """Low NLU confidence: try the knowledge base, then rephrase, then offer a person."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Answer from the knowledge base if it is confident, else take the failure path."""
        return await answer_or_fall_back(dispatcher, tracker)
