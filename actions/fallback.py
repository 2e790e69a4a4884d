"""Low NLU confidence or no evidence: confirm a named service, else the knowledge base.

The EvidenceGate (``bot_plugins/evidence_gate.py``) marks a message that names a service
without asking for it with a ``service_candidate`` entity: the assistant asks once, with buttons,
whether the citizen wants that service (``utter_confirm_<intent>``). Everything else is answered
from the knowledge base, referred to the office in charge, or taken down the not-understood path.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.knowledge import answer_or_fall_back

ACTION_LISTEN = "action_listen"
CANDIDATE_ENTITY = "service_candidate"
CONFIRM_PREFIX = "utter_confirm_"


def service_candidate(tracker: Tracker) -> str | None:
    """The service intent the gate held back for confirmation, if any."""
    value = next(tracker.get_latest_entity_values(CANDIDATE_ENTITY), None)
    return str(value) if value else None


def confirmed_just_now(tracker: Tracker) -> bool:
    """Whether the assistant's last words before this message were a confirmation (ask once)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user" and not seen_user:
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            action = (event.get("metadata") or {}).get("utter_action") or ""
            return str(action).startswith(CONFIRM_PREFIX)
    return False


class ActionHandleFallback(Action):
    """Confirm a named service once; otherwise the knowledge base, a referral or rephrase."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask about the held-back service, or answer from the knowledge base.

        The citizen speaks next, always: as the core fallback (no policy is confident) no rule
        says what follows, and letting the policies predict again would only fall back again,
        over and over, until Rasa's circuit breaker stops the turn.
        """
        candidate = service_candidate(tracker)
        response = f"{CONFIRM_PREFIX}{candidate}" if candidate else None
        if response and response in domain.get("responses", {}) and not confirmed_just_now(tracker):
            dispatcher.utter_message(response=response)
            return [FollowupAction(ACTION_LISTEN)]
        events = await answer_or_fall_back(dispatcher, tracker)
        return [*events, FollowupAction(ACTION_LISTEN)]
