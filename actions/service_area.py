"""Tells the citizen which districts and counties the bureau serves (from the back office)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.districts import get_districts_api


class ActionListServiceArea(Action):
    """Lists the districts and counties from the back office's records."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_list_service_area"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the district list, or an apology with the hotline when the records are down."""
        try:
            districts = await get_districts_api().list_districts()
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return []
        dispatcher.utter_message(
            response="utter_service_area",
            count=len(districts),
            districts="、".join(d.name for d in districts),
        )
        return []
