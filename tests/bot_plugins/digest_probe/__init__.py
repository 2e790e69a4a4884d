"""One action for tests/bot_plugins/test_domain_digest.py: it reports the domain it was given."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict


class ActionReportDomain(Action):
    """Sets `seen_responses` to the number of responses in the domain the action received."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_report_domain"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """One slot event: how many responses the domain had (0 without a domain)."""
        responses = len((domain or {}).get("responses") or {})
        return [{"event": "slot", "name": "seen_responses", "value": responses}]
