"""A fake WeChat server over real HTTP (FastAPI + uvicorn in a thread), and a fake citizen side.

Server API: /cgi-bin/token, /cgi-bin/message/custom/send, /cgi-bin/menu/create, recording every
call; it checks what WeChat checks (AppID/secret, a current access token, 2048-byte texts, raw
UTF-8 JSON) and can answer the next calls of a path with an errcode.

Citizen side (`CallbackSigner`): builds callbacks as the WeChat server does — query signature
over (token, timestamp, nonce), and in safe mode the encrypted body with msg_signature —
independently of the code under test (only the AES step uses `cryptography` directly).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import socket
import struct
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

TOKEN = "minzheng_wx_token"
APP_ID = "wx1234567890abcdef"
APP_SECRET = "test-app-secret-0123456789"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_minzheng_test"
TEXT_LIMIT_BYTES = 2048


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Call:
    path: str
    query: dict[str, str]
    body: dict[str, Any] | None
    raw: bytes = b""


@dataclass
class FakeWechat:
    """The fake WeChat server API. Use as a context manager."""

    port: int = field(default_factory=free_port)
    expires_in: int = 7200
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._counter = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeWechat:
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake wechat did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)

    # ---- test helpers ----

    def fail_next(self, path: str, *errcodes: int) -> None:
        self.failures.setdefault(path, []).extend(errcodes)

    def calls_of(self, path: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.path == path]

    def sent_texts(self, open_id: str | None = None) -> list[str]:
        """Texts accepted by the customer-service API (to `open_id`)."""
        return [
            c.body["text"]["content"]
            for c in self.calls_of("/cgi-bin/message/custom/send")
            if c.body
            and c.body.get("accepted")
            and (open_id is None or c.body["touser"] == open_id)
        ]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met in {timeout} s; calls: {self.calls}")
            time.sleep(0.05)

    # ---- the server ----

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/cgi-bin/token")
        async def token(request: Request) -> JSONResponse:
            query = dict(request.query_params)
            self._record(Call("/cgi-bin/token", query, None))
            if query.get("appid") != APP_ID or query.get("secret") != APP_SECRET:
                return JSONResponse({"errcode": 40013, "errmsg": "invalid appid"})
            if failure := self._failure("/cgi-bin/token"):
                return failure
            issued = f"TOKEN-{next(self._counter)}"
            with self.lock:
                self.tokens.append(issued)
            return JSONResponse({"access_token": issued, "expires_in": self.expires_in})

        @app.post("/cgi-bin/message/custom/send")
        async def custom_send(request: Request) -> JSONResponse:
            return await self._post("/cgi-bin/message/custom/send", request)

        @app.post("/cgi-bin/menu/create")
        async def menu_create(request: Request) -> JSONResponse:
            return await self._post("/cgi-bin/menu/create", request)

        return app

    def _record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def _failure(self, path: str) -> JSONResponse | None:
        with self.lock:
            pending = self.failures.get(path)
            if pending:
                return JSONResponse({"errcode": pending.pop(0), "errmsg": "fake failure"})
        return None

    async def _post(self, path: str, request: Request) -> JSONResponse:
        raw = await request.body()
        query = dict(request.query_params)
        try:
            body: dict[str, Any] = json.loads(raw.decode("utf-8"))
        except ValueError:
            self._record(Call(path, query, None, raw))
            return JSONResponse({"errcode": 47001, "errmsg": "data format error"})
        call = Call(path, query, body, raw)
        self._record(call)
        with self.lock:
            current = self.tokens[-1] if self.tokens else None
        if query.get("access_token") != current:
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
        if failure := self._failure(path):
            return failure
        if b"\\u" in raw:
            # WeChat would show the escapes literally: the client must send raw UTF-8.
            return JSONResponse({"errcode": 40033, "errmsg": "invalid charset"})
        if path == "/cgi-bin/message/custom/send":
            content = body.get("text", {}).get("content", "")
            if len(content.encode("utf-8")) > TEXT_LIMIT_BYTES:
                return JSONResponse({"errcode": 45002, "errmsg": "content size out of limit"})
        body["accepted"] = True
        return JSONResponse({"errcode": 0, "errmsg": "ok"})


def wechat_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


def message_xml(
    open_id: str, msg_type: str, *, create_time: int | None = None, **fields: Any
) -> str:
    """A message or event as WeChat posts it (ToUserName = the account)."""
    parts = [
        f"<ToUserName>{cdata(ACCOUNT)}</ToUserName>",
        f"<FromUserName>{cdata(open_id)}</FromUserName>",
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
        f"<MsgType>{cdata(msg_type)}</MsgType>",
    ]
    for name, value in fields.items():
        parts.append(f"<{name}>{cdata(str(value)) if isinstance(value, str) else value}</{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


_msg_ids = itertools.count(int(time.time()) * 1000)


def text_xml(open_id: str, content: str, *, msg_id: int | None = None) -> str:
    return message_xml(open_id, "text", Content=content, MsgId=msg_id or next(_msg_ids))


@dataclass
class SignedCallback:
    params: dict[str, str]
    body: bytes


class CallbackSigner:
    """Builds callbacks the way the WeChat server does."""

    def __init__(self, token: str = TOKEN, aes_key: str = AES_KEY, app_id: str = APP_ID) -> None:
        self.token = token
        self.key = base64.b64decode(aes_key + "=")
        self.app_id = app_id.encode()

    def plain(
        self, xml: str, *, timestamp: int | None = None, nonce: str | None = None
    ) -> SignedCallback:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or os.urandom(6).hex()
        params = {
            "signature": wechat_signature(self.token, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "openid": "ignored",
        }
        return SignedCallback(params, xml.encode("utf-8"))

    def encrypted(
        self, xml: str, *, timestamp: int | None = None, nonce: str | None = None
    ) -> SignedCallback:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or os.urandom(6).hex()
        encrypted = self.encrypt(xml)
        params = {
            "signature": wechat_signature(self.token, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": wechat_signature(self.token, ts, nonce, encrypted),
        }
        body = (
            f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName>"
            f"<Encrypt>{cdata(encrypted)}</Encrypt></xml>"
        )
        return SignedCallback(params, body.encode("utf-8"))

    def encrypt(self, text: str) -> str:
        data = text.encode("utf-8")
        plain = os.urandom(16) + struct.pack(">I", len(data)) + data + self.app_id
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        plain = plain[: -plain[-1]]
        (length,) = struct.unpack(">I", plain[16:20])
        assert plain[20 + length :] == self.app_id
        return plain[20 : 20 + length].decode("utf-8")

    def open_reply(self, body: str, params: dict[str, str]) -> dict[str, str]:
        """The fields of a passive reply (decrypted and its signature checked in safe mode)."""
        fields = {c.tag: c.text or "" for c in ElementTree.fromstring(body)}
        if "Encrypt" in fields:
            expected = wechat_signature(
                self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"]
            )
            assert fields["MsgSignature"] == expected, "bad reply signature"
            fields = {
                c.tag: c.text or "" for c in ElementTree.fromstring(self.decrypt(fields["Encrypt"]))
            }
        return fields
