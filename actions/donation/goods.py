"""Donating goods: what is accepted and where to bring it (drop-off points with hours)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.donation import get_donation_api


class ActionShowGoodsDonation(Action):
    """Lists the accepted goods and each drop-off point with its address and hours."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_show_goods_donation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the categories, then one message per drop-off point."""
        try:
            info = await get_donation_api().goods_info()
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return []
        names = {c.code: c.name for c in info.categories}
        dispatcher.utter_message(
            response="utter_donation_goods_categories",
            categories="、".join(c.name for c in info.categories),
            not_accepted=info.not_accepted,
        )
        for point in info.points:
            dispatcher.utter_message(
                response="utter_donation_goods_point",
                name=point.name,
                address=point.address,
                hours=point.hours,
                categories="、".join(names.get(c, c) for c in point.categories),
            )
        dispatcher.utter_message(response="utter_donation_goods_end")
        return []
