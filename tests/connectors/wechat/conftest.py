"""Fixtures: the fake WeChat server, a scripted conversation router, the callback app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from connectors.router import RouterReply
from connectors.wechat.gateway import WechatGateway
from connectors.wechat.routes import build_gateway
from connectors.wechat.routes import router as wechat_router
from core.chat import BotMessage, Button
from core.settings import Settings
from tests.connectors.wechat.fake_wechat import (
    AES_KEY,
    APP_ID,
    APP_SECRET,
    TOKEN,
    CallbackSigner,
    FakeWechat,
)

MENU = [
    ("婚姻登记预约", "/request_marriage_booking"),
    ("救助资格预审", "/request_prescreen"),
    ("找养老", "/request_eldercare"),
    ("慈善捐赠", "/request_donation"),
    ("转人工", "/request_human"),
]
GREETING = "您好！我是杭州市民政局的智能助手“小民”。请问您想办理什么？"


def greeting_reply() -> RouterReply:
    return RouterReply(
        messages=[BotMessage(text=GREETING, buttons=[Button(title=t, payload=p) for t, p in MENU])]
    )


@dataclass
class Call:
    channel: str
    sender: str
    text: str
    metadata: dict[str, Any] | None


@dataclass
class FakeRouter:
    """Answers like the ConversationRouter; records calls; can be slow."""

    delay: float = 0.0
    replies: dict[str, RouterReply] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    async def handle(
        self, *, channel: str, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> RouterReply:
        self.calls.append(Call(channel, sender, text, metadata))
        if self.delay:
            await asyncio.sleep(self.delay)
        if text in self.replies:
            return self.replies[text]
        if text in ("你好", "/greet"):
            return greeting_reply()
        return RouterReply(messages=[BotMessage(text=f"收到：{text}")])


def wechat_settings(fake: FakeWechat, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "wechat_token": TOKEN,
        "wechat_app_id": APP_ID,
        "wechat_app_secret": APP_SECRET,
        "wechat_encoding_aes_key": AES_KEY,
        "wechat_api_base": fake.base_url,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Harness:
    fake: FakeWechat
    router: FakeRouter
    gateway: WechatGateway
    client: httpx.AsyncClient
    signer: CallbackSigner

    async def post(self, callback: Any) -> httpx.Response:
        return await self.client.post(
            "/wechat/callback",
            params=callback.params,
            content=callback.body,
            headers={"Content-Type": "text/xml"},
        )


@pytest.fixture
def fake() -> Iterator[FakeWechat]:
    with FakeWechat() as server:
        yield server


@pytest.fixture
def router() -> FakeRouter:
    return FakeRouter()


@pytest.fixture
async def harness(fake: FakeWechat, router: FakeRouter) -> AsyncIterator[Harness]:
    """The callback route in a small app (the gateway talks to the fake over real HTTP)."""
    gateway = build_gateway(
        wechat_settings(fake),
        conversation_router=router,
        passive_seconds=0.5,
        after_passive_delay=0.0,
    )
    app = FastAPI()
    app.include_router(wechat_router)
    app.state.wechat_gateway = gateway
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://wechat.test") as client:
        yield Harness(fake, router, gateway, client, CallbackSigner())
    await gateway.aclose()
