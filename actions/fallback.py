"""Low NLU confidence or no evidence: confirm a named service once, else the knowledge base.

A message the EvidenceGate marked with a service candidate is asked back once
(``actions.confirm_service``); everything else is answered from the knowledge base, referred to
the office in charge, or taken down the not-understood path.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.confirm_service import (
    CONFIRM_PREFIX,
    ask_back,
    confirmation_response,
    service_candidate,
)
from actions.context_answers import answer_as_unplaced
from actions.knowledge import answer_or_fall_back
from actions.marriage.manage import lookup_of_own_booking
from actions.side_questions import resume_form

ACTION_LISTEN = "action_listen"


def answered_this_turn(tracker: Tracker) -> bool:
    """Whether the assistant has already replied to the latest message.

    The policies may find nothing to do after a completed action (已为您取消预约 …); the message
    was answered, so the fallback stays silent instead of adding "没太明白".
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


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

        The citizen speaks next: as the core fallback (no policy is confident) no rule says
        what follows, and letting the policies predict again would only fall back again, over
        and over, until Rasa's circuit breaker stops the turn. Inside a form that could not use
        the message, the form asks its question again first ("好，我们接着…：").
        """
        if answered_this_turn(tracker):
            return [FollowupAction(ACTION_LISTEN)]
        candidate = service_candidate(tracker)
        own_booking = lookup_of_own_booking(dispatcher, tracker, candidate or "")
        if own_booking is not None:
            return own_booking
        known = candidate and confirmation_response(candidate) in domain.get("responses", {})
        if candidate and known and not confirmed_just_now(tracker):
            return ask_back(dispatcher, candidate)
        form = tracker.active_loop.get("name")
        if not form:
            return await answer_as_unplaced(dispatcher, tracker)
        # The form could not use the message: answered, it asks its question again.
        events = await answer_or_fall_back(dispatcher, tracker)
        resume_form(dispatcher, str(form))
        return [*events, FollowupAction(str(form))]
