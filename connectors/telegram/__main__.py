"""`python -m connectors.telegram [polling|set-webhook|delete-webhook]`.

polling (default): the worker `make run` starts when TELEGRAM_BOT_TOKEN is set and
TELEGRAM_MODE=polling. set-webhook: register TELEGRAM_WEBHOOK_URL (with the secret token) and
the command menu with Telegram. delete-webhook: back to polling.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from sqlalchemy.orm import sessionmaker
from telegram import BotCommand

from backoffice.db import make_engine
from connectors.assembly import build_gateway
from connectors.telegram.gateway import ALLOWED_UPDATES, CHANNEL
from connectors.telegram.relay import RelayDelivery
from connectors.telegram.runtime import build_bot, build_runtime, retry_policy
from connectors.telegram.sending import with_retries
from connectors.telegram.texts import command_descriptions
from core.settings import Settings, get_settings

logger = logging.getLogger("connectors.telegram")

POLL_TIMEOUT_SECONDS = 25
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


async def run_polling(settings: Settings, *, poll_timeout: int = POLL_TIMEOUT_SECONDS) -> None:
    """Poll Telegram for updates until SIGINT/SIGTERM."""
    gateway = build_gateway(settings)
    runtime = build_runtime(
        settings=settings,
        router=gateway.router,
        polling=True,
        bot=build_bot(settings, read_timeout=poll_timeout + 10),
        session_factory=sessionmaker(
            bind=make_engine(settings.database_url), expire_on_commit=False
        ),
    )
    gateway.desk.deliveries.register(CHANNEL, RelayDelivery(runtime.relay))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await runtime.start()
    try:
        # getUpdates does not work while a webhook is set.
        await with_retries(
            lambda: runtime.bot.delete_webhook(drop_pending_updates=False),
            policy=retry_policy(settings),
        )
        assert runtime.application.updater is not None
        await runtime.application.updater.start_polling(
            timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
        )
        me = runtime.bot.bot
        logger.info("telegram bot @%s polling", me.username)
        await stop.wait()
    finally:
        await runtime.stop()
        await gateway.aclose()


async def set_webhook(settings: Settings) -> None:
    """Register the webhook URL, its secret token and the command menu with Telegram."""
    if not settings.telegram_webhook_url or not settings.telegram_webhook_secret:
        raise SystemExit("set TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET first")
    async with build_bot(settings) as bot:
        await bot.set_webhook(
            url=settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
        await bot.set_my_commands(
            [BotCommand(name, text) for name, text in command_descriptions().items()]
        )
        info = await bot.get_webhook_info()
        print(f"webhook set: {info.url} (pending updates: {info.pending_update_count})")


async def delete_webhook(settings: Settings) -> None:
    """Remove the webhook (polling works again)."""
    async with build_bot(settings) as bot:
        await bot.delete_webhook()
        print("webhook deleted")


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m connectors.telegram")
    parser.add_argument(
        "command",
        nargs="?",
        default="polling",
        choices=["polling", "set-webhook", "delete-webhook"],
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its log lines contain the token
    settings = get_settings()
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set: no Telegram connector", file=sys.stderr)
        return 2
    commands = {
        "polling": run_polling,
        "set-webhook": set_webhook,
        "delete-webhook": delete_webhook,
    }
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(commands[args.command](settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
