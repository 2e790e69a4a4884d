"""Builds and runs the connector of one process (polling worker or web app with the webhook)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot, BotCommand
from telegram.ext import Application
from telegram.request import HTTPXRequest

from connectors.telegram.callbacks import CallbackCodec, PayloadStore
from connectors.telegram.gateway import ConversationHandler, TelegramGateway, build_application
from connectors.telegram.rate_limit import ChatRateLimiter
from connectors.telegram.relay import DeskOutbox, HandoffRelay
from connectors.telegram.replies import ReplyWriter
from connectors.telegram.sending import FailedSendLog, RetryPolicy, TelegramSender, with_retries
from connectors.telegram.storage import DbDeskOutbox, DbFailedSendLog, DbPayloadStore
from connectors.telegram.texts import command_descriptions
from core.settings import Settings

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_SECONDS = 8.0
STARTUP_ATTEMPTS = 6


def build_bot(settings: Settings, *, read_timeout: float = 10.0) -> Bot:
    """The Bot API client for `settings` (another base URL in tests: a fake server)."""
    return Bot(
        token=settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_file_url,
        request=HTTPXRequest(connection_pool_size=16, read_timeout=read_timeout),
        get_updates_request=HTTPXRequest(read_timeout=read_timeout),
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    """Retries and back-off from the settings."""
    return RetryPolicy(
        attempts=max(settings.telegram_send_attempts, 1),
        base_delay=settings.telegram_retry_base_seconds,
        max_delay=MAX_RETRY_DELAY_SECONDS,
    )


@dataclass
class TelegramRuntime:
    """Everything the connector runs in one process."""

    bot: Bot
    application: Application[Any, Any, Any, Any, Any, Any]
    gateway: TelegramGateway
    writer: ReplyWriter
    relay: HandoffRelay
    policy: RetryPolicy
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        """Reach Telegram (getMe, retried), set the command menu, start handling updates."""
        await with_retries(self.application.initialize, policy=_startup_policy(self.policy))
        await self.set_commands()
        await self.application.start()
        self.tasks.append(asyncio.create_task(self.relay.run(), name="telegram-relay"))

    async def set_commands(self) -> None:
        """/start, /help, /restart, /human with their Chinese descriptions (setMyCommands)."""
        commands = [BotCommand(name, text) for name, text in command_descriptions().items()]
        await self.writer.sender.best_effort(
            "setMyCommands", lambda: self.bot.set_my_commands(commands)
        )

    async def stop(self) -> None:
        """Stop the relay and the application."""
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()


def _startup_policy(policy: RetryPolicy) -> RetryPolicy:
    return RetryPolicy(
        attempts=max(policy.attempts, STARTUP_ATTEMPTS),
        base_delay=policy.base_delay,
        max_delay=policy.max_delay,
    )


def build_runtime(
    *,
    settings: Settings,
    router: ConversationHandler,
    polling: bool,
    bot: Bot | None = None,
    session_factory: sessionmaker[Session] | None = None,
    payloads: PayloadStore | None = None,
    failures: FailedSendLog | None = None,
    outbox: DeskOutbox | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] | None = None,
    relay_poll_seconds: float = 1.0,
) -> TelegramRuntime:
    """Wire the connector: database stores from `session_factory` unless stores are given."""
    bot = bot or build_bot(settings)
    if session_factory is not None:
        ttl = dt.timedelta(days=settings.telegram_callback_ttl_days)
        payloads = payloads or DbPayloadStore(session_factory, ttl)
        failures = failures or DbFailedSendLog(session_factory)
        outbox = outbox or DbDeskOutbox(session_factory)
    if payloads is None or failures is None or outbox is None:
        raise ValueError("give a session_factory or all three stores")
    policy = retry_policy(settings)
    sender = TelegramSender(bot=bot, failures=failures, policy=policy, sleep=sleep)
    writer = ReplyWriter(sender=sender, codec=CallbackCodec(payloads))
    limiter_args: dict[str, Any] = {"clock": clock} if clock else {}
    limiter = ChatRateLimiter(
        burst=settings.telegram_rate_limit_burst,
        per_minute=settings.telegram_rate_limit_per_minute,
        **limiter_args,
    )
    gateway = TelegramGateway(router=router, writer=writer, limiter=limiter)
    application = build_application(gateway=gateway, bot=bot, polling=polling)
    relay = HandoffRelay(outbox=outbox, writer=writer, poll_seconds=relay_poll_seconds)
    return TelegramRuntime(
        bot=bot,
        application=application,
        gateway=gateway,
        writer=writer,
        relay=relay,
        policy=policy,
    )
