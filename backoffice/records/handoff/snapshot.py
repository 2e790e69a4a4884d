"""The case at the moment of the handover, from Rasa's tracker (used by the gateway's crisis path).

The action server builds the same from its own tracker (actions/clients/handoff.py).
"""

from __future__ import annotations

from typing import Any

from backoffice.records.handoff.models import BOT, CITIZEN
from backoffice.records.handoff.tickets import TranscriptLine
from zhtext.references import find_references

MAX_TRANSCRIPT_LINES = 60
# Slots that say nothing about the citizen's case.
_INTERNAL_SLOTS = frozenset({"requested_slot", "session_started_metadata"})


def transcript_from_events(events: list[dict[str, Any]]) -> list[TranscriptLine]:
    """The citizen's and the bot's texts since the last restart, oldest first (at most 60)."""
    lines: list[TranscriptLine] = []
    for event in events:
        kind = {"user": CITIZEN, "bot": BOT}.get(str(event.get("event")))
        text = event.get("text")
        if event.get("event") == "restart":
            lines.clear()
        elif kind and isinstance(text, str) and text.strip():
            lines.append(TranscriptLine(kind=kind, text=text))
    return lines[-MAX_TRANSCRIPT_LINES:]


def references_in_events(events: list[dict[str, Any]]) -> list[str]:
    """Reference numbers anywhere in the tracker's texts (before a restart too)."""
    return find_references(
        str(event["text"])
        for event in events
        if event.get("event") in ("user", "bot") and isinstance(event.get("text"), str)
    )


def summary_from_tracker(tracker: dict[str, Any]) -> dict[str, Any]:
    """Collected slots (unmasked: the service masks them) and the active form of a tracker."""
    slots = {
        name: value
        for name, value in (tracker.get("slots") or {}).items()
        if value not in (None, "", [], {})
        and name not in _INTERNAL_SLOTS
        and not name.startswith("handoff_")  # the handover's own machinery, not the case
    }
    loop = (tracker.get("active_loop") or {}).get("name")
    return {"slots": slots, "active_form": loop}
