"""Desk messages (staff replies, queue notices, the bot after a hand-back) → WeChat citizens.

The handoff desk stores every message before it delivers (backoffice/records/handoff/delivery.py),
then calls the channel's `ChatDelivery`. For WeChat that is a customer-service message, sent at
once from the web process that handled the staff action (WeChat has no polling worker). Staff
replies carry the staff member's name; choices become numbered text, and the citizen's number
picks them just like the assistant's choices.
"""

from __future__ import annotations

from collections.abc import Sequence

from backoffice.records.handoff.delivery import ChatDelivery, OutboundMessage
from connectors.desk_text import desk_text
from connectors.wechat.gateway import WechatGateway
from connectors.wechat.rendering import render
from connectors.wechat.texts import wechat_text
from core.chat import BotMessage, Button


class WechatDelivery(ChatDelivery):
    """The WeChat channel's delivery for the handoff desk.

    Args:
        gateway: The WeChat gateway of this process (customer-service API, choice memory).
    """

    def __init__(self, gateway: WechatGateway) -> None:
        self._gateway = gateway

    async def deliver(
        self, *, conversation_id: str, sender: str, messages: Sequence[OutboundMessage]
    ) -> None:
        """Send `messages` to the citizen whose OpenID is `sender`, oldest first."""
        bot_messages = [
            BotMessage(
                text=desk_text(outbound, wechat_text),
                buttons=[Button(title=b["title"], payload=b["payload"]) for b in outbound.buttons],
            )
            for outbound in messages
        ]
        rendered = render(bot_messages)
        if not rendered.texts:
            return
        self._gateway.choices.remember(sender, rendered.choices)
        await self._gateway.send_texts(sender, rendered.texts)
