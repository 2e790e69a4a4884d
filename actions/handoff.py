"""转人工: hands the conversation to hotline staff.

Foundation version: gives the hotline. The handoff feature replaces it with a real ticket.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict


class ActionStartHandoff(Action):
    """Starts a handover to a person (every trigger of 转人工 runs this action)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_start_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Tell the citizen how to reach a person."""
        dispatcher.utter_message(response="utter_human_hotline")
        return []
