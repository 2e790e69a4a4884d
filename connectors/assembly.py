"""The chat gateway assembled in one place: Rasa's client, the handoff desk and the router.

The web app (`web/main.py`) and the Telegram polling worker (`python -m connectors.telegram`)
both build theirs here, so a citizen's message takes the same path whatever process receives it.
"""

from __future__ import annotations

from dataclasses import dataclass

from backoffice.records.handoff.desk import HandoffDesk
from backoffice.records.handoff.wiring import build_desk
from connectors.rasa_client import RasaClient
from connectors.router import ConversationRouter
from core.rasa_pool import replica_urls
from core.settings import Settings


@dataclass(frozen=True)
class Gateway:
    """What a process that receives citizens' messages needs."""

    rasa: RasaClient
    desk: HandoffDesk
    router: ConversationRouter

    async def aclose(self) -> None:
        """Stop the desk's streams and Rasa's checks; close their connections."""
        await self.desk.aclose()
        await self.rasa.aclose()


def build_gateway(settings: Settings) -> Gateway:
    """The gateway of `settings`: Rasa (every replica, the action server watched) and the desk."""
    rasa = RasaClient(
        rasa_url=settings.rasa_url,
        rasa_urls=replica_urls(settings),
        action_server_url=settings.action_server_url,
        timeout=settings.rasa_timeout_seconds,
        watch_action_server=True,
    )
    desk = build_desk(settings)
    router = ConversationRouter(rasa=rasa, max_chars=settings.max_message_chars, handoff=desk)
    return Gateway(rasa=rasa, desk=desk, router=router)
