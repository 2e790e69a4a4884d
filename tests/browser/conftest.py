"""Real Chromium, and a small gateway double that serves the web chat page with a scripted bot.

The double implements the gateway's web chat contract (POST /api/chat, GET /api/chat/health,
GET /api/chat/{sender}/events) so that the page's own behaviour can be tested in a browser without
Rasa. A separate end-to-end test drives the page against the real stack.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import socket
import struct
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from playwright.sync_api import Browser, Page, sync_playwright

from connectors.webchat.page import STATIC_DIR, STRINGS_FILE, render_index

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "reports" / "screenshots"

# Short timings so recovery and retries happen within a test's patience.
FAST_TIMINGS = {
    "replyTimeoutMs": 5000,
    "healthFirstDelayMs": 200,
    "healthMaxDelayMs": 800,
    "eventsFirstDelayMs": 200,
    "eventsMaxDelayMs": 800,
}

MENU_BUTTONS = [
    {"title": "婚姻登记预约", "payload": '/choose_service{"service":"marriage"}'},
    {"title": "找养老", "payload": '/choose_service{"service":"elderly_care"}'},
    {"title": "转人工", "payload": "/request_human"},
]
GREETING = "您好！我是杭州市民政局的智能助手。\n请问您想办理哪项业务？"


DAY_BUTTONS = [
    {"title": "明天上午", "payload": "明天上午"},
    {"title": "明天下午", "payload": "明天下午"},
]


@dataclass
class FakeBot:
    """Scripted stand-in for everything behind the gateway; tests flip its switches."""

    available: bool = True
    hotline: str = "12345"
    events_enabled: bool = False
    received: list[dict[str, Any]] = field(default_factory=list)
    pushed: queue.Queue[str] = field(default_factory=queue.Queue)

    def reset(self) -> None:
        self.available = True
        self.hotline = "12345"
        self.events_enabled = False
        self.received = []
        self.pushed = queue.Queue()

    def messages(self) -> list[str]:
        """The `message` of every chat request received, in order."""
        return [str(body.get("message")) for body in self.received]

    def push(self, event: dict[str, Any]) -> None:
        """Queue one server-sent event for the open event stream."""
        self.pushed.put(json.dumps(event, ensure_ascii=False))

    async def reply(self, message: str) -> dict[str, Any]:
        if message == "/greet":
            return _reply({"text": GREETING, "buttons": MENU_BUTTONS})
        if message == "/restart":
            return _reply()
        if message.startswith("/choose_service"):
            service = json.loads(message.removeprefix("/choose_service"))["service"]
            name = {"marriage": "婚姻登记预约", "elderly_care": "找养老"}[service]
            return _reply({"text": f"好的，您选择了{name}。请问您想预约哪一天？"})
        if message == "链接":
            return _reply(
                {
                    "text": (
                        "办事指南请看 https://www.hangzhou.gov.cn/col/col1229063386/index.html，"
                        "也可以访问http://mz.hangzhou.gov.cn了解。\n"
                        "<b>加粗</b><img src=x onerror=window.__xss=1>"
                        "<script>window.__xss=2</script>\n"
                        "javascript:window.__xss=3 不是链接"
                    )
                }
            )
        if message == "图片":
            return _reply(
                {"text": "请看示意图：", "image": "/fake/pixel.png"},
                {"text": "", "image": "javascript:window.__xss=4"},
            )
        if message == "慢":
            await asyncio.sleep(1.5)
            return _reply({"text": "让您久等了。"})
        if message == "超时":
            await asyncio.sleep(4)
            return _reply({"text": "这条回复来得太晚了。"})
        if len(message) > 500:
            return _reply({"text": "收到。"}, notices=["您的消息比较长，我只读取了前 500 个字。"])
        if message == "要带什么材料":  # a side question inside a form, then the form asks again
            return _reply(
                {"text": "结婚登记请带好双方的身份证。"},
                {"text": "好，我们接着预约：请问您想预约哪一天？", "buttons": DAY_BUTTONS},
            )
        if message.startswith("给客服："):  # a staff member owns the chat: no bot, a receipt
            return {"messages": [], "notices": [], "receipt": "已送达人工客服 小王"}
        return _reply({"text": f"您说的是：{message}"})


def _one_pixel_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    pixels = zlib.compress(b"\x00\x80")  # filter byte, one grey pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _reply(*messages: dict[str, Any], notices: list[str] | None = None) -> dict[str, Any]:
    return {
        "messages": [{"buttons": [], "image": None, **message} for message in messages],
        "notices": notices or [],
    }


def _error(status: int, code: str, text: str, **extra: str) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": {"code": code, "message": text, **extra}}
    )


def build_fake_gateway(bot: FakeBot) -> FastAPI:
    """A web app with the real page and static files, and `bot` behind the chat contract."""
    app = FastAPI()
    app.mount("/static/webchat", StaticFiles(directory=STATIC_DIR), name="webchat")

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        return HTMLResponse(render_index(STRINGS_FILE))

    @app.get("/fake/pixel.png")
    def pixel() -> Response:
        return Response(_one_pixel_png(), media_type="image/png")

    @app.post("/api/chat")
    async def chat(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "invalid_json", "请求内容不是有效的 JSON。")
        sender, message = body.get("sender"), body.get("message")
        if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
            return _error(422, "invalid_request", "会话编号格式不正确。")
        if not isinstance(message, str):
            return _error(422, "invalid_request", "缺少消息内容。")
        bot.received.append(body)
        if not bot.available:
            return _error(503, "service_unavailable", "智能助手暂时无法服务。", hotline=bot.hotline)
        return JSONResponse(await bot.reply(message))

    @app.get("/api/chat/health")
    def health() -> dict[str, Any]:
        return {"available": bot.available, "hotline": bot.hotline}

    @app.get("/api/chat/{sender}/events")
    def events(sender: str) -> Response:
        if not bot.events_enabled:
            return _error(404, "not_found", "您访问的地址不存在。")
        pushed = bot.pushed  # this connection's queue, even after a reset

        async def stream() -> AsyncIterator[str]:
            yield ": connected\n\n"
            while True:
                try:
                    data = pushed.get_nowait()
                except queue.Empty:
                    await asyncio.sleep(0.05)
                    continue
                yield f"data: {data}\n\n"

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    return app


@dataclass
class GatewayServer:
    """The fake gateway served by uvicorn in a background thread."""

    bot: FakeBot
    base_url: str


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    if not executable.exists():
        reason = (
            f"Chromium not found at {executable}: install it (`apt-get install -y chromium`) "
            "or set CHROMIUM_PATH"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def gateway_server() -> Iterator[GatewayServer]:
    bot = FakeBot()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        build_fake_gateway(bot), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the fake gateway did not start")
        time.sleep(0.02)
    yield GatewayServer(bot=bot, base_url=f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def fake_bot(gateway_server: GatewayServer) -> FakeBot:
    gateway_server.bot.reset()
    return gateway_server.bot


OpenChat = Callable[..., Page]


@pytest.fixture
def open_chat(
    browser: Browser, gateway_server: GatewayServer, fake_bot: FakeBot
) -> Iterator[OpenChat]:
    """Open the chat page in a fresh browser profile; the test fails on any uncaught JS error."""
    contexts = []
    errors: list[str] = []

    def _open(
        *, width: int = 390, height: int = 844, timings: dict[str, int] | None = None
    ) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="zh-CN",
            base_url=gateway_server.base_url,
        )
        context.add_init_script(
            f"window.MZ_WEBCHAT_CONFIG = {json.dumps({**FAST_TIMINGS, **(timings or {})})};"
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto("/")
        return page

    yield _open
    for context in contexts:
        context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
