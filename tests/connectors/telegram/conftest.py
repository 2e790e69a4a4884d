"""Fixtures: a fake Telegram Bot API server, a fake router, and the connector polling it."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from telegram import Bot
from telegram.request import HTTPXRequest

from connectors.rasa_client import AssistantUnavailableError
from connectors.router import RouterReply
from connectors.telegram.callbacks import MemoryPayloadStore
from connectors.telegram.relay import DeskMessage
from connectors.telegram.runtime import TelegramRuntime, build_runtime
from connectors.telegram.sending import MemoryFailedSendLog
from core.chat import BotMessage, Button
from core.settings import PROJECT_ROOT, Settings
from tests.connectors.telegram.fake_telegram import TOKEN, FakeTelegram

CHAT = 4242


@dataclass
class FakeRouter:
    """Stands in for ConversationRouter: records calls, answers with scripted replies."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    replies: list[RouterReply] = field(default_factory=list)
    down: bool = False

    async def handle(
        self, *, channel: str, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> RouterReply:
        self.calls.append(
            {"channel": channel, "sender": sender, "text": text, "metadata": metadata}
        )
        if self.down:
            raise AssistantUnavailableError("rasa down")
        if self.replies:
            return self.replies.pop(0)
        return RouterReply(messages=[BotMessage(text=f"收到：{text}")])


@dataclass
class MemoryOutbox:
    """A DeskOutbox in memory."""

    messages: list[DeskMessage] = field(default_factory=list)
    claimed: set[int] = field(default_factory=set)
    outcomes: dict[int, bool] = field(default_factory=dict)

    async def pending(self) -> list[DeskMessage]:
        return [m for m in self.messages if m.id not in self.claimed]

    async def claim(self, message_id: int) -> bool:
        if message_id in self.claimed:
            return False
        self.claimed.add(message_id)
        return True

    async def finish(self, message_id: int, *, sent: bool) -> None:
        self.outcomes[message_id] = sent


@dataclass
class Harness:
    fake: FakeTelegram
    router: FakeRouter
    runtime: TelegramRuntime
    failures: MemoryFailedSendLog
    payloads: MemoryPayloadStore
    outbox: MemoryOutbox
    sleeps: list[float]


def telegram_settings(fake: FakeTelegram, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": fake.base_url,
        "telegram_api_file_url": fake.file_url,
        "telegram_retry_base_seconds": 0.01,
        "telegram_send_attempts": 4,
        "telegram_rate_limit_burst": 100,
        "telegram_rate_limit_per_minute": 600,
        "telegram_webhook_secret": "s3cret-token_ok",
        "telegram_webhook_url": "https://example.test/telegram/webhook",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def fake_bot(fake: FakeTelegram) -> Bot:
    """A bot whose calls time out after 0.5 s (the fake's "timeout" takes 3 s)."""
    return Bot(
        token=TOKEN,
        base_url=fake.base_url,
        base_file_url=fake.file_url,
        request=HTTPXRequest(read_timeout=0.5, connect_timeout=1.0),
        get_updates_request=HTTPXRequest(read_timeout=5.0),
    )


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


async def start_harness(fake: FakeTelegram, *, polling: bool = True, **settings: Any) -> Harness:
    router = FakeRouter()
    failures = MemoryFailedSendLog()
    payloads = MemoryPayloadStore()
    outbox = MemoryOutbox()
    sleeps: list[float] = []

    async def record_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    runtime = build_runtime(
        settings=telegram_settings(fake, **settings),
        router=router,
        polling=polling,
        bot=fake_bot(fake),
        payloads=payloads,
        failures=failures,
        outbox=outbox,
        sleep=record_sleep,
        relay_poll_seconds=0.05,
    )
    await runtime.start()
    if polling:
        assert runtime.application.updater is not None
        await runtime.application.updater.start_polling(timeout=1, poll_interval=0)
    return Harness(fake, router, runtime, failures, payloads, outbox, sleeps)


@pytest.fixture
async def harness(fake: FakeTelegram) -> AsyncIterator[Harness]:
    running = await start_harness(fake)
    yield running
    await running.runtime.stop()


def menu_reply() -> RouterReply:
    return RouterReply(
        messages=[
            BotMessage(
                text="您好，我是民政智能助手。请问您要办理什么？",
                buttons=[
                    Button(title="婚姻登记预约", payload="/request_marriage_booking"),
                    Button(
                        title="找养老",
                        payload='/request_eldercare{"district": "西湖区", "need": "全护理", '
                        '"budget": 5000}',
                    ),
                ],
            )
        ]
    )


def migrated_database(tmp_path: Path) -> str:
    """A fresh SQLite database with every migration (alembic upgrade heads)."""
    url = f"sqlite:///{tmp_path / 'backoffice.db'}"
    config = Config(
        str(PROJECT_ROOT / "alembic.ini"), cmd_opts=argparse.Namespace(x=[f"url={url}"])
    )
    config.set_main_option("script_location", str(PROJECT_ROOT / "backoffice" / "migrations"))
    command.upgrade(config, "heads")
    return url
