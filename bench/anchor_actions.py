"""The one custom action of the bare-Rasa anchor (bench/anchor_bot/, started by bench/anchor.py).

It does what a small custom action usually does: reads the tracker, works something out and
answers with a response of the domain.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from zhtext.city_time import city_today

WEEKDAY_HOURS = "上午 9:00–12:00，下午 13:30–17:00"
WEEKEND_HOURS = "周末休息"
SATURDAY = 5


class ActionTellOfficeHours(Action):
    """Today's office hours."""

    def name(self) -> str:
        """The action's name in the anchor's domain."""
        return "action_tell_office_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Say today's hours (weekend or working day)."""
        today = city_today()
        hours = WEEKEND_HOURS if today.weekday() >= SATURDAY else WEEKDAY_HOURS
        dispatcher.utter_message(response="utter_office_hours", day="今天", hours=hours)
        return []
