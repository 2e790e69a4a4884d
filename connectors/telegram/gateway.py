"""Citizens' Telegram updates → the shared ConversationRouter → replies in the chat.

One gateway per process. Every text, pressed button, command and shared location goes through
the same router as the web chat (channel "tg", sender = chat id), so normalisation, crisis words
and bot/human ownership are shared. Updates of one chat are handled in order; different chats
are handled concurrently.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Protocol

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from connectors.rasa_client import AssistantUnavailableError
from connectors.router import RouterReply
from connectors.telegram.rate_limit import ChatRateLimiter
from connectors.telegram.replies import ReplyWriter
from connectors.telegram.texts import telegram_text
from core.messages import message

logger = logging.getLogger(__name__)

CHANNEL = "tg"
COMMAND_PAYLOADS = {
    "start": "/greet",
    "help": "/request_menu",
    "restart": "/restart",
    "human": "/request_human",
}
# The intent the eldercare feature understands (actions/eldercare/__init__.py).
SHARE_LOCATION_INTENT = "/share_location"
ALLOWED_UPDATES = ["message", "callback_query"]
CONCURRENT_UPDATES = 16
MAX_CHAT_LOCKS = 10_000

Context = ContextTypes.DEFAULT_TYPE


class ConversationHandler(Protocol):
    """What the gateway needs from connectors.router.ConversationRouter."""

    async def handle(
        self, *, channel: str, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> RouterReply:
        """The replies to one citizen message."""


def command_payload(text: str) -> str | None:
    """The payload of a command ("/start@MinzhengBot" → "/greet"); None when unknown."""
    name = text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
    return COMMAND_PAYLOADS.get(name)


def location_payload(lat: float, lon: float) -> tuple[str, dict[str, Any]]:
    """Message text and metadata for a shared location (both forms eldercare accepts)."""
    point = {"lat": round(lat, 6), "lon": round(lon, 6)}
    return f"{SHARE_LOCATION_INTENT}{json.dumps(point)}", {"location": point}


def pressed_title(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    """The title of the button with callback `data` in `markup`."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


class TelegramGateway:
    """Handles the updates of citizens' private chats.

    Args:
        router: The shared conversation router.
        writer: Renders and sends replies.
        limiter: Per-chat rate limit.
    """

    def __init__(
        self, *, router: ConversationHandler, writer: ReplyWriter, limiter: ChatRateLimiter
    ) -> None:
        self._router = router
        self._writer = writer
        self._limiter = limiter
        self._locks: dict[str, asyncio.Lock] = {}

    async def on_text(self, update: Update, context: Context) -> None:
        """A typed message or a command."""
        if update.effective_chat is None or update.effective_message is None:
            return
        chat_id = str(update.effective_chat.id)
        text = update.effective_message.text or ""
        if text.startswith("/"):
            payload = command_payload(text)
            if payload is None:
                await self._limited_reply(chat_id, telegram_text("unknown_command"))
                return
            text = payload
        await self.route(chat_id, text)

    async def on_location(self, update: Update, context: Context) -> None:
        """A shared location (or venue): passed on for 找养老's nearest-first search."""
        message = update.effective_message
        if update.effective_chat is None or message is None or message.location is None:
            return
        text, metadata = location_payload(message.location.latitude, message.location.longitude)
        await self.route(str(update.effective_chat.id), text, metadata)

    async def on_callback(self, update: Update, context: Context) -> None:
        """A pressed inline button: acknowledge, remove the keyboard, send its payload."""
        query = update.callback_query
        if query is None or update.effective_chat is None:
            return
        chat_id = str(update.effective_chat.id)
        data = query.data or ""
        payload = await self._writer.codec.decode(data)
        source = query.message
        markup = getattr(source, "reply_markup", None)
        title = pressed_title(markup, data)
        notice = (
            telegram_text("button_expired")
            if payload is None
            else telegram_text("button_chosen", title=title or "")
        )
        sender = self._writer.sender
        await sender.best_effort("answerCallbackQuery", lambda: query.answer(text=notice))
        if source is not None:
            await sender.best_effort(
                "editMessageReplyMarkup",
                lambda: sender.bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=source.message_id, reply_markup=None
                ),
            )
        if payload is not None:
            await self.route(chat_id, payload)

    async def on_unsupported(self, update: Update, context: Context) -> None:
        """Photos, voice, stickers, files, video …: say politely what works."""
        if update.effective_chat is None:
            return
        await self._limited_reply(str(update.effective_chat.id), telegram_text("unsupported_media"))

    async def on_error(self, update: object, context: Context) -> None:
        """Log what escaped a handler (the handlers already answer the citizen)."""
        logger.error("telegram update failed: %r", context.error, exc_info=context.error)

    async def route(self, chat_id: str, text: str, metadata: dict[str, Any] | None = None) -> None:
        """Pass one citizen message to the router and send its replies, in chat order."""
        decision = self._limiter.check(chat_id)
        if not decision.allowed:
            if decision.notify:
                await self._writer.send_text(chat_id, telegram_text("rate_limited"))
            return
        async with self._lock(chat_id):
            try:
                reply = await self._router.handle(
                    channel=CHANNEL, sender=chat_id, text=text, metadata=metadata
                )
            except AssistantUnavailableError as error:
                logger.warning("assistant unavailable for tg chat %s: %s", chat_id, error)
                reply = RouterReply(notices=[message("service_unavailable")])
            except Exception:  # the citizen must hear something, whatever broke
                logger.exception("routing a telegram message of chat %s failed", chat_id)
                reply = RouterReply(notices=[message("internal_error")])
            await self._writer.send_reply(chat_id, reply)

    async def _limited_reply(self, chat_id: str, text: str) -> None:
        decision = self._limiter.check(chat_id)
        if decision.allowed:
            await self._writer.send_text(chat_id, text)
        elif decision.notify:
            await self._writer.send_text(chat_id, telegram_text("rate_limited"))

    def _lock(self, chat_id: str) -> asyncio.Lock:
        if len(self._locks) > MAX_CHAT_LOCKS:
            self._locks = {key: lock for key, lock in self._locks.items() if lock.locked()}
        return self._locks.setdefault(chat_id, asyncio.Lock())


def build_application(
    *, gateway: TelegramGateway, bot: Any, polling: bool
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The python-telegram-bot application with the gateway's handlers.

    Args:
        gateway: Handles the updates.
        bot: The `telegram.Bot` (shared with the sender).
        polling: True for the worker (an updater that calls getUpdates); False for the webhook.
    """
    builder = ApplicationBuilder().bot(bot).concurrent_updates(CONCURRENT_UPDATES)
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(private & filters.TEXT, gateway.on_text))
    application.add_handler(MessageHandler(private & filters.LOCATION, gateway.on_location))
    application.add_handler(CallbackQueryHandler(gateway.on_callback))
    application.add_handler(
        MessageHandler(
            private & ~filters.TEXT & ~filters.LOCATION & ~filters.StatusUpdate.ALL,
            gateway.on_unsupported,
        )
    )
    application.add_error_handler(gateway.on_error)
    return application
