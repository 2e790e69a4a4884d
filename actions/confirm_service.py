"""Asking back "您是想……吗？" before a service starts (是的 / 不是 / 我想问问题).

The EvidenceGate (``bot_plugins/evidence_gate.py``) marks a message that names a service without
asking for it with a ``service_candidate`` entity; the fallback, the eldercare search outside a
form and a pre-screen "correction" without a pre-screen all ask back with the service's
``utter_confirm_<intent>`` response and hand the turn to the citizen.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker

CANDIDATE_ENTITY = "service_candidate"
CONFIRM_PREFIX = "utter_confirm_"


def service_candidate(tracker: Tracker) -> str | None:
    """The service intent the gate held back, if it marked the latest message."""
    value = next(tracker.get_latest_entity_values(CANDIDATE_ENTITY), None)
    return str(value) if value else None


def confirmation_response(service_intent: str) -> str:
    """The ask-back response of a service intent."""
    return f"{CONFIRM_PREFIX}{service_intent}"


def ask_back(dispatcher: CollectingDispatcher, service_intent: str) -> list[dict[str, Any]]:
    """Ask whether the citizen wants the service; the citizen speaks next."""
    dispatcher.utter_message(response=confirmation_response(service_intent))
    return [FollowupAction("action_listen")]


def request_words(tracker: Tracker) -> str:
    """What the citizen said when asking for the service now starting.

    The latest message; but when it is the "是的" button of an ask-back ("您是想……吗？"), the
    message that was asked back about: "我家三口人，月收入两千" → 是的 still says three people.
    """
    texts: list[str] = []
    asked_back = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            texts.append(str(event.get("text") or ""))
            if len(texts) == 2 or not texts[0].startswith("/"):
                break
        elif kind == "bot" and texts and len(texts) == 1:
            action = str((event.get("metadata") or {}).get("utter_action") or "")
            asked_back = asked_back or action.startswith(CONFIRM_PREFIX)
    if len(texts) == 2 and asked_back:
        return texts[1]
    return texts[0] if texts else ""


def unasked_words(tracker: Tracker, slot: str) -> str | None:
    """The words a form reads `slot` from when the citizen says it before being asked.

    None when the slot is answered already, is the question being asked (its own mapping reads
    that), or the message is a button. At the form's start these are the words that asked for
    the service (`request_words`), later the latest message.
    """
    requested = tracker.get_slot("requested_slot")
    if tracker.get_slot(slot) is not None or requested == slot:
        return None
    latest = str(tracker.latest_message.get("text") or "")
    text = request_words(tracker) if requested is None else latest
    return None if text.startswith("/") else text
