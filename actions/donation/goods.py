"""Donating goods: what is accepted, and who to ask where to bring it.

The drop-off points of the back office are not shown: their addresses are not verified, so the
answer names the kind of organisation and the hotline or community that knows (issue 24).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.donation import get_donation_api
from core.texts import read_texts

TEXTS_FILE = Path(__file__).with_name("goods.yml")


class ActionShowGoodsDonation(Action):
    """Lists the accepted goods, then says where goods can be given and who to ask."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_show_goods_donation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the categories, where to give them, and the way on."""
        try:
            info = await get_donation_api().goods_info()
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return []
        categories = str(read_texts(TEXTS_FILE)["categories"])
        dispatcher.utter_message(
            text=categories.format(
                categories="、".join(c.name for c in info.categories),
                not_accepted=info.not_accepted,
            )
        )
        dispatcher.utter_message(text=info.where_to_give)
        dispatcher.utter_message(response="utter_donation_goods_end")
        return []
