"""Low NLU confidence: a confident knowledge-base answer first, then the not-understood path."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.knowledge import answer_or_fall_back

ACTION_LISTEN = "action_listen"


class ActionHandleFallback(Action):
    """Low NLU confidence: try the knowledge base, then rephrase, then offer a person."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Answer from the knowledge base if it is confident, else take the failure path.

        The citizen speaks next, always: as the core fallback (no policy is confident) no rule
        says what follows, and letting the policies predict again would only fall back again,
        over and over, until Rasa's circuit breaker stops the turn.
        """
        events = await answer_or_fall_back(dispatcher, tracker)
        return [*events, FollowupAction(ACTION_LISTEN)]
