"""Renders the assistant's replies (and desk messages) as Telegram messages."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from connectors.router import RouterReply
from connectors.telegram.callbacks import CallbackCodec
from connectors.telegram.rendering import split_text, to_html
from connectors.telegram.sending import TelegramSender
from connectors.telegram.texts import telegram_text
from core.chat import BotMessage, Button


class ReplyWriter:
    """Sends bot messages to a chat: text split at the limit, buttons as an inline keyboard.

    Args:
        sender: Sends (with retries) and records failures.
        codec: Turns button payloads into callback data.
    """

    def __init__(self, *, sender: TelegramSender, codec: CallbackCodec) -> None:
        self.sender = sender
        self.codec = codec

    async def keyboard(self, buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
        """One button per row (long Chinese titles stay readable on a phone)."""
        if not buttons:
            return None
        rows = [
            [
                InlineKeyboardButton(
                    button.title, callback_data=await self.codec.encode(button.payload)
                )
            ]
            for button in buttons
        ]
        return InlineKeyboardMarkup(rows)

    async def send_text(self, chat_id: str, text: str, buttons: Sequence[Button] = ()) -> bool:
        """Send `text` (split when long); the keyboard goes with the last part."""
        if not text.strip():
            text = telegram_text("choose_prompt") if buttons else ""
        if not text:
            return True
        chunks = split_text(text)
        markup = await self.keyboard(buttons)
        delivered = True
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            sent = await self.sender.send_html(
                chat_id, to_html(chunk), reply_markup=markup if last else None
            )
            delivered = delivered and sent
        return delivered

    async def send_bot_message(self, chat_id: str, message: BotMessage) -> bool:
        """One message of the assistant (images are sent as a link that opens)."""
        delivered = True
        if message.text or message.buttons:
            delivered = await self.send_text(chat_id, message.text or "", message.buttons)
        if message.image:
            sent = await self.send_text(chat_id, telegram_text("image_link", url=message.image))
            delivered = delivered and sent
        return delivered

    async def send_reply(self, chat_id: str, reply: RouterReply) -> bool:
        """The gateway's notices first (they explain what happened), then the bot's messages.

        The receipt while staff answer ("已送达人工客服 小王") is a short line after the notices.
        """
        delivered = True
        for notice in reply.notices_and_receipt():
            delivered = await self.send_text(chat_id, notice) and delivered
        for message in reply.messages:
            delivered = await self.send_bot_message(chat_id, message) and delivered
        return delivered
