"""Helpers for end-to-end tests that talk to the web gateway like the chat page does."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from connectors.webchat.routes import CHANNEL
from core.chat import conversation_id
from testkit.stack import LiveStack

REPLY_TIMEOUT_SECONDS = 60


def new_sender(prefix: str = "e2e") -> str:
    """A fresh web-chat sender id (a new conversation)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def say(stack: LiveStack, sender: str, message: str) -> dict[str, Any]:
    """Send one message through `POST /api/chat`; the reply must be 200."""
    response = httpx.post(
        f"{stack.web_url}/api/chat",
        json={"sender": sender, "message": message},
        timeout=REPLY_TIMEOUT_SECONDS,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def texts(body: dict[str, Any]) -> str:
    """All reply texts of one answer, one per line."""
    return "\n".join(m.get("text") or "" for m in body["messages"])


def buttons(body: dict[str, Any]) -> dict[str, str]:
    """The buttons offered in one answer: title → payload."""
    return {b["title"]: b["payload"] for m in body["messages"] for b in m.get("buttons") or []}


def button_titles(body: dict[str, Any]) -> list[str]:
    """The button titles offered in one answer, in order."""
    return [b["title"] for m in body["messages"] for b in m.get("buttons") or []]


def click(stack: LiveStack, sender: str, body: dict[str, Any], title: str) -> dict[str, Any]:
    """Press the button titled `title` of a previous answer."""
    offered = buttons(body)
    assert title in offered, f"{title!r} not in {list(offered)}\n{texts(body)}"
    return say(stack, sender, offered[title])


def rows(stack: LiveStack, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a query on the stack's back-office database."""
    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def tracker_rows(stack: LiveStack, sender: str) -> list[str]:
    """The `data` of every Rasa tracker event (SQLite store) of the web conversation of `sender`."""
    engine = create_engine(f"sqlite:///{stack.workdir / 'rasa_tracker.db'}")
    try:
        with engine.connect() as connection:
            result = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :id ORDER BY id"),
                {"id": conversation_id(CHANNEL, sender)},
            )
            return [str(row[0]) for row in result]
    finally:
        engine.dispose()
