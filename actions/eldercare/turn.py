"""What the citizen's latest message says, read once per action from the tracker."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rasa_sdk.interfaces import Tracker

from actions.clients.eldercare import FacilityKind, Need
from actions.eldercare.understanding import (
    NEEDS,
    UNLIMITED,
    Area,
    AreaProblem,
    Budget,
    district_area,
    entity_value,
    find_area,
    find_budget,
    find_kind,
    find_need,
    location_area,
    shared_location,
)

# Intents that leave the question unanswered on purpose: the form lets rules handle them
# (a policy question, 转人工, 算了 …) and asks again afterwards.
DIGRESSIONS = frozenset(
    {
        "ask_policy_question",
        "request_human",
        "stop",
        "restart",
        "request_menu",
        "goodbye",
        "greet",
        "thank",
        "ask_bot_identity",
        "cancel_facility_visit",
    }
)


def latest_metadata(tracker: Tracker) -> Mapping[str, Any] | None:
    """The metadata of the latest user message (channels put a shared location there)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            return metadata if isinstance(metadata, Mapping) else None
    return None


def message_text(tracker: Tracker) -> str:
    """The latest message's text; empty for a button payload ("/intent{...}")."""
    text = str(tracker.latest_message.get("text") or "")
    return "" if text.startswith("/") else text


def intent_name(tracker: Tracker) -> str | None:
    """The latest message's intent."""
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


@dataclass(frozen=True)
class SearchTurn:
    """Everything the latest message says about a search.

    Attributes:
        intent: The message's intent.
        requested: The slot the form asked for, None on the message that started the form.
        text: The message text (empty for a button).
        area: The area, a problem with it, or None.
        need: The care needed, or None.
        kind: The kind of place named ("养老院", "日托"), or None.
        budget: The monthly budget, "unlimited", or None.
    """

    intent: str | None
    requested: str | None
    text: str
    area: Area | AreaProblem | None
    need: Need | None
    kind: FacilityKind | None
    budget: Budget | None

    @property
    def digression(self) -> bool:
        """True when the citizen did not answer but asked or wanted something else."""
        return self.intent in DIGRESSIONS

    @property
    def understood(self) -> bool:
        """True when the message said anything usable for the search."""
        return (
            isinstance(self.area, dict)
            or self.need is not None
            or self.kind is not None
            or self.budget is not None
        )

    @classmethod
    def read(cls, tracker: Tracker) -> SearchTurn:
        """Read the latest message of ``tracker``."""
        message = tracker.latest_message
        requested = tracker.get_slot("requested_slot")
        text = message_text(tracker)
        return cls(
            intent=intent_name(tracker),
            requested=requested,
            text=text,
            area=_area(message, latest_metadata(tracker), text),
            need=_need(message, text),
            kind=find_kind(text) if text else None,
            budget=_budget(message, text, asked=requested == "eldercare_budget"),
        )


def _area(
    message: Mapping[str, Any], metadata: Mapping[str, Any] | None, text: str
) -> Area | AreaProblem | None:
    point = shared_location(message, metadata)
    if point is not None:
        return location_area(point)
    code = entity_value(message, "eldercare_district")
    if isinstance(code, str):
        chosen = district_area(code)
        if chosen is not None:
            return chosen
    return find_area(text) if text else None


def _need(message: Mapping[str, Any], text: str) -> Need | None:
    chosen = entity_value(message, "eldercare_need")
    for need in NEEDS:
        if chosen == need:
            return need
    return find_need(text) if text else None


def _budget(message: Mapping[str, Any], text: str, *, asked: bool) -> Budget | None:
    chosen = entity_value(message, "eldercare_budget")
    if chosen == UNLIMITED:
        return UNLIMITED
    if isinstance(chosen, int | float | str) and str(chosen).isdigit():
        return int(chosen)
    return find_budget(text, asked=asked) if text else None
