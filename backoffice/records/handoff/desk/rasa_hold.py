"""Rasa holds its tongue while a person owns a conversation: pause, resume, trigger an intent.

Every call is best effort: when Rasa cannot be reached the ticket records it (`rasa_paused`),
and the router retries the resume on the citizen's next message.
"""

from __future__ import annotations

import logging
from typing import Any

from backoffice.records.handoff import tickets
from backoffice.records.handoff.desk.context import DeskContext
from backoffice.records.handoff.models import HandoffTicket
from backoffice.records.handoff.rasa_control import RasaControlError

logger = logging.getLogger(__name__)

# What the bot is asked to do when it takes a conversation back (unless staff chose otherwise).
DEFAULT_RESUME_INTENT = "continue_conversation"


class RasaHold:
    """Pauses and resumes Rasa for tickets, through Rasa's conversation API."""

    def __init__(self, context: DeskContext) -> None:
        self._context = context

    async def pause(self, ticket: HandoffTicket) -> None:
        """Pause Rasa for the ticket's conversation (the bot stays silent)."""
        try:
            await self._context.rasa.pause(ticket.conversation_id)
        except RasaControlError as error:
            logger.warning("could not pause Rasa for ticket %s: %s", ticket.id, error)
            return
        await self._context.run_db(
            lambda s: tickets.set_rasa_paused(session=s, ticket_id=ticket.id, paused=True),
            again_if_ended=True,
        )
        ticket.rasa_paused = True

    async def resume(self, ticket: HandoffTicket) -> bool:
        """Resume Rasa for the ticket's conversation; False when Rasa could not be told."""
        try:
            await self._context.rasa.resume(ticket.conversation_id)
        except RasaControlError as error:
            logger.warning("could not resume Rasa for ticket %s: %s", ticket.id, error)
            return False
        await self._context.run_db(
            lambda s: tickets.set_rasa_paused(session=s, ticket_id=ticket.id, paused=False)
        )
        return True

    async def trigger(self, ticket: HandoffTicket, intent: str) -> list[dict[str, Any]]:
        """Rasa's messages after triggering `intent`; none when Rasa could not be reached."""
        try:
            return await self._context.rasa.trigger_intent(ticket.conversation_id, intent)
        except RasaControlError as error:
            logger.warning("could not trigger %s for ticket %s: %s", intent, ticket.id, error)
            return []
