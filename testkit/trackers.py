"""Builders for action unit tests: trackers and events made inline, as rasa-sdk's tests do."""

from __future__ import annotations

from typing import Any

from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

EMPTY_DOMAIN: DomainDict = {
    "actions": [],
    "entities": [],
    "forms": {},
    "intents": [],
    "responses": {},
    "slots": {},
}


def user_event(
    text: str = "", intent: str = "", entities: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A `user` event as Rasa sends it to the action server."""
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": 1.0},
            "intent_ranking": [{"name": intent, "confidence": 1.0}],
            "entities": entities or [],
        },
    }


def bot_event(text: str = "") -> dict[str, Any]:
    """A `bot` event."""
    return {"event": "bot", "text": text}


def make_tracker(
    events: list[dict[str, Any]] | None = None,
    *,
    slots: dict[str, Any] | None = None,
    sender_id: str = "web-test",
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest message is the last `user` event of `events`."""
    events = events or []
    latest: dict[str, Any] = next((e for e in reversed(events) if e["event"] == "user"), {})
    return Tracker(
        sender_id=sender_id,
        slots=slots or {},
        latest_message={"text": latest.get("text"), **latest.get("parse_data", {})},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )
