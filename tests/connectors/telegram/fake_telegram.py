"""A fake Telegram Bot API server over real HTTP (FastAPI + uvicorn in a thread) for the tests.

python-telegram-bot talks to it with `base_url=fake.base_url`. It keeps what the bot sent,
hands out queued updates through getUpdates (long polling), checks what Telegram checks
(4096-character limit after HTML parsing, HTML entities, 64-byte callback data), and can fail
the next calls of a method (5xx, 429 flood control, or a timeout) to test retries.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.connectors.telegram.telegram_html import parse_html

TOKEN = "123456:TEST-fake-token"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "民政智能助手",
    "username": "minzheng_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class SentMessage:
    """A message the bot sent."""

    message_id: int
    chat_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    visible_text: str = ""
    links: list[str] = field(default_factory=list)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(title, callback_data) of the inline keyboard."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


class FakeTelegram:
    """The fake Bot API. Use as a context manager (starts/stops the server)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.lock = threading.Lock()
        self.updates: list[dict[str, Any]] = []
        self.sent: list[SentMessage] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures: dict[str, list[int | str]] = {}
        self.commands: list[dict[str, str]] = []
        self.webhook: dict[str, Any] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # ---- addresses ----

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---- life cycle ----

    def __enter__(self) -> FakeTelegram:
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake telegram did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)

    # ---- test helpers ----

    def fail_next(self, method: str, *outcomes: int | str) -> None:
        """Answer the next calls of `method` with these status codes, or "timeout"."""
        with self.lock:
            self.failures.setdefault(method, []).extend(outcomes)

    def _user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "市民", "language_code": "zh-hans"}

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "市民"},
            "from": self._user(chat_id),
            **content,
        }

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            update = {"update_id": next(self._update_ids), **update}
            self.updates.append(update)
        return update

    def make_text_update(self, chat_id: int, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"message": self._message(chat_id, **content)}

    def push_text(self, chat_id: int, text: str) -> dict[str, Any]:
        return self.push(self.make_text_update(chat_id, text))

    def push_location(self, chat_id: int, lat: float, lon: float) -> dict[str, Any]:
        location = {"latitude": lat, "longitude": lon}
        return self.push({"message": self._message(chat_id, location=location)})

    def push_media(self, chat_id: int, kind: str) -> dict[str, Any]:
        file = {"file_id": f"{kind}-1", "file_unique_id": f"{kind}-u1"}
        contents: dict[str, dict[str, Any]] = {
            "photo": {"photo": [{**file, "width": 90, "height": 90}]},
            "voice": {"voice": {**file, "duration": 3}},
            "sticker": {
                "sticker": {
                    **file,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "document": {"document": {**file, "file_name": "证明.pdf"}},
            "video": {"video": {**file, "width": 640, "height": 480, "duration": 5}},
        }
        return self.push({"message": self._message(chat_id, **contents[kind])})

    def push_callback(self, message: SentMessage, data: str) -> dict[str, Any]:
        """The citizen presses the button with callback `data` under `message`."""
        bot_message = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private", "first_name": "市民"},
            "from": BOT_USER,
            "text": message.visible_text,
        }
        if message.reply_markup:
            bot_message["reply_markup"] = message.reply_markup
        return self.push(
            {
                "callback_query": {
                    "id": f"cb-{next(self._message_ids)}",
                    "from": self._user(message.chat_id),
                    "chat_instance": "ci-1",
                    "data": data,
                    "message": bot_message,
                }
            }
        )

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        with self.lock:
            return [m for m in self.sent if m.chat_id == chat_id]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [params for name, params in self.calls if name == method]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; sent: {[m.visible_text for m in self.sent]}")
            time.sleep(0.02)

    async def await_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; sent: {[m.visible_text for m in self.sent]}")
            await asyncio.sleep(0.02)

    # ---- the server ----

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def api(token: str, method: str, request: Request) -> JSONResponse:
            if token != TOKEN:
                return _error(401, "Unauthorized")
            params = await _params(request)
            with self.lock:
                self.calls.append((method, params))
                queue = self.failures.get(method)
                outcome = queue.pop(0) if queue else None
            if outcome == "timeout":
                await asyncio.sleep(3)
                return _error(504, "Gateway Timeout")
            if outcome == 429:
                return JSONResponse(
                    status_code=429,
                    content={
                        "ok": False, "error_code": 429,
                        "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": 1},
                    },
                )  # fmt: skip
            if isinstance(outcome, int):
                return _error(outcome, "Internal Server Error" if outcome >= 500 else "Bad Request")
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower()
            handler = getattr(self, f"_m_{snake}", None)
            if handler is None:
                return _error(404, "Not Found: method not found")
            if method == "getUpdates":
                return await self._m_get_updates(params)
            result = handler(params)
            if isinstance(result, JSONResponse):
                return result
            return JSONResponse({"ok": True, "result": result})

        return app

    async def _m_get_updates(self, params: dict[str, Any]) -> JSONResponse:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                ready = list(self.updates)
            if ready or time.monotonic() >= deadline:
                return JSONResponse({"ok": True, "result": ready})
            await asyncio.sleep(0.02)

    def _m_get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _m_send_message(self, params: dict[str, Any]) -> Any:
        text = str(params.get("text", ""))
        parse_mode = params.get("parse_mode")
        markup = params.get("reply_markup")
        visible, links = text, list[str]()
        if parse_mode == "HTML":
            try:
                visible, links = parse_html(text)
            except ValueError as error:
                return _error(400, f"Bad Request: can't parse entities: {error}")
        if not visible.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(visible.encode("utf-16-le")) // 2 > 4096:
            return _error(400, "Bad Request: message is too long")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode("utf-8")) > 64:
                    return _error(400, "Bad Request: BUTTON_DATA_INVALID")
        links += re.findall(r"https?://\S+", visible) if parse_mode is None else []
        message = SentMessage(
            message_id=next(self._message_ids),
            chat_id=int(params["chat_id"]),
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            visible_text=visible,
            links=links,
        )
        with self.lock:
            self.sent.append(message)
        result = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private"},
            "from": BOT_USER,
            "text": visible,
        }
        if markup:
            result["reply_markup"] = markup
        return result

    def _m_edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        with self.lock:
            for message in self.sent:
                if message.message_id == int(params.get("message_id", 0)):
                    message.reply_markup = params.get("reply_markup")
                    return True
        return _error(400, "Bad Request: message to edit not found")

    def _m_answer_callback_query(self, params: dict[str, Any]) -> bool:
        return True

    def _m_set_my_commands(self, params: dict[str, Any]) -> bool:
        with self.lock:
            self.commands = list(params.get("commands") or [])
        return True

    def _m_set_webhook(self, params: dict[str, Any]) -> bool:
        with self.lock:
            self.webhook = params
        return True

    def _m_delete_webhook(self, params: dict[str, Any]) -> bool:
        with self.lock:
            self.webhook = {}
        return True

    def _m_get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"ok": False, "error_code": status, "description": description}
    )


async def _params(request: Request) -> dict[str, Any]:
    """Bot API parameters: JSON body, or form fields whose non-string values are JSON."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body: dict[str, Any] = await request.json()
        return body
    form = await request.form()
    params: dict[str, Any] = {}
    for key, value in form.items():
        text = str(value)
        try:
            params[key] = json.loads(text) if key in _JSON_FIELDS else text
        except ValueError:
            params[key] = text
    return params


_JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "link_preview_options"}
