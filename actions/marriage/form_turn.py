"""One answer of the marriage booking form being read: the slot values and this turn's changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.clients.marriage import MarriageApi, Office, Policy


@dataclass
class Turn:
    """One answer being read: the slot values so far and the changes this turn makes."""

    api: MarriageApi
    dispatcher: CollectingDispatcher
    values: dict[str, Any]
    today: dt.date
    changes: dict[str, Any] = field(default_factory=dict)
    _offices: list[Office] | None = None
    _policy: Policy | None = None

    def get(self, slot: str) -> Any:
        """The slot's value including this turn's changes."""
        return self.changes[slot] if slot in self.changes else self.values.get(slot)

    def set(self, slot: str, value: Any) -> None:
        """Change a slot."""
        self.changes[slot] = value

    def say(self, response: str, **values: Any) -> None:
        """Utter a response of the domain."""
        self.dispatcher.utter_message(response=response, **values)

    async def offices(self) -> list[Office]:
        """The offices (fetched once per turn)."""
        if self._offices is None:
            self._offices = await self.api.list_offices()
        return self._offices

    async def policy(self) -> Policy:
        """The booking rules (fetched once per turn)."""
        if self._policy is None:
            self._policy = await self.api.get_policy()
        return self._policy

    async def office(self, code: str | None) -> Office | None:
        """The office with this code."""
        return next((o for o in await self.offices() if o.code == code), None)
