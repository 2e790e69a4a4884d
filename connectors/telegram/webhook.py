"""Webhook mode: POST /telegram/webhook in the web app, checked with Telegram's secret token.

`telegram_lifespan` is entered by web/main.py at start-up. Without TELEGRAM_BOT_TOKEN it does
nothing. With a token, the handoff desk gets the Telegram delivery; in webhook mode the web
process also runs the connector (updates arrive on the route) and the desk relay; in polling
mode the worker `python -m connectors.telegram` does both and this route answers 404.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import sessionmaker
from telegram import Update

from backoffice.db import make_engine
from connectors.telegram.gateway import CHANNEL, ConversationHandler
from connectors.telegram.relay import RelayDelivery
from connectors.telegram.runtime import TelegramRuntime, build_runtime
from core.settings import Settings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/telegram", tags=["telegram"])


def secret_matches(expected: str, given: str | None) -> bool:
    """Constant-time check of the X-Telegram-Bot-Api-Secret-Token header."""
    return bool(expected) and given is not None and hmac.compare_digest(expected, given)


@router.post("/webhook", include_in_schema=False, response_model=None)
async def post_webhook(
    request: Request,
    x_telegram_bot_api_secret_token: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """One update from Telegram: queued for the connector, answered at once."""
    runtime: TelegramRuntime | None = getattr(request.app.state, "telegram_runtime", None)
    secret: str = getattr(request.app.state, "telegram_webhook_secret", "")
    if runtime is None:
        return JSONResponse(status_code=404, content={"error": {"code": "not_found"}})
    if not secret_matches(secret, x_telegram_bot_api_secret_token):
        return JSONResponse(status_code=403, content={"error": {"code": "forbidden"}})
    if not runtime.application.running:
        # Telegram retries later: the update is not lost.
        return JSONResponse(status_code=503, content={"error": {"code": "starting"}})
    try:
        data: Any = await request.json()
        update = Update.de_json(data, runtime.bot)
    except ValueError:
        return JSONResponse(status_code=400, content={"error": {"code": "invalid_update"}})
    await runtime.application.update_queue.put(update)
    return JSONResponse(content={"ok": True})


@asynccontextmanager
async def telegram_lifespan(
    app: FastAPI, *, settings: Settings, conversation_router: ConversationHandler, desk: Any
) -> AsyncIterator[None]:
    """Run the Telegram side of the web process (see the module docstring)."""
    if not settings.telegram_bot_token:
        yield
        return
    if settings.telegram_mode != "webhook":
        desk.deliveries.register(CHANNEL, RelayDelivery(None))  # the polling worker relays
        yield
        return
    if not settings.telegram_webhook_secret:
        logger.error("TELEGRAM_WEBHOOK_SECRET is empty: every webhook call is refused")
    runtime = build_runtime(
        settings=settings,
        router=conversation_router,
        polling=False,
        session_factory=sessionmaker(
            bind=make_engine(settings.database_url), expire_on_commit=False
        ),
    )
    desk.deliveries.register(CHANNEL, RelayDelivery(runtime.relay))
    app.state.telegram_webhook_secret = settings.telegram_webhook_secret
    try:
        await runtime.start()
    except Exception:  # Telegram unreachable: the web app still serves the other channels
        logger.exception("telegram connector did not start; webhook calls answer 503")
    app.state.telegram_runtime = runtime
    try:
        yield
    finally:
        app.state.telegram_runtime = None
        await runtime.stop()
