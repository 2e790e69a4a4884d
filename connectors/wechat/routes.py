"""The official account's server address: GET/POST /wechat/callback in the web app.

web/main.py includes `router` only when WECHAT_TOKEN is set and enters `wechat_lifespan`, which
builds the gateway and registers the WeChat delivery with the handoff desk.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import PlainTextResponse, Response

from connectors.wechat.api import WechatApi
from connectors.wechat.crypto import MessageCrypto
from connectors.wechat.delivery import WechatDelivery
from connectors.wechat.envelope import MAX_BODY_BYTES
from connectors.wechat.gateway import CHANNEL, ConversationHandler, WechatGateway
from connectors.wechat.security import (
    MAX_SKEW_SECONDS,
    CallbackGuard,
    CallbackQuery,
    CallbackRejectedError,
)
from connectors.wechat.ttl_cache import SeenKeys
from core.errors import error_response
from core.settings import Settings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/wechat", tags=["wechat"])

OptionalQuery = Annotated[str | None, Query()]


def _gateway(request: Request) -> WechatGateway | None:
    gateway: WechatGateway | None = getattr(request.app.state, "wechat_gateway", None)
    return gateway


def _rejected(error: CallbackRejectedError) -> Response:
    return error_response(error.status_code, error.code, "微信回调校验未通过")


@router.get("/callback", include_in_schema=False, response_model=None)
async def get_callback(
    request: Request,
    signature: OptionalQuery = None,
    timestamp: OptionalQuery = None,
    nonce: OptionalQuery = None,
    echostr: OptionalQuery = None,
) -> Response:
    """WeChat's check of the server address: echo `echostr` when the signature is right."""
    gateway = _gateway(request)
    if gateway is None:
        return error_response(503, "starting", "微信接入尚未启动")
    query = CallbackQuery(signature=signature, timestamp=timestamp, nonce=nonce, echostr=echostr)
    try:
        return PlainTextResponse(gateway.handshake(query))
    except CallbackRejectedError as error:
        return _rejected(error)


@router.post("/callback", include_in_schema=False, response_model=None)
async def post_callback(
    request: Request,
    signature: OptionalQuery = None,
    timestamp: OptionalQuery = None,
    nonce: OptionalQuery = None,
    encrypt_type: OptionalQuery = None,
    msg_signature: OptionalQuery = None,
) -> Response:
    """A message or event from a citizen: a passive reply, or "success" and a later message."""
    gateway = _gateway(request)
    if gateway is None:
        return error_response(503, "starting", "微信接入尚未启动")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return error_response(413, "payload_too_large", "请求内容过大")
    query = CallbackQuery(
        signature=signature,
        timestamp=timestamp,
        nonce=nonce,
        encrypt_type=encrypt_type,
        msg_signature=msg_signature,
    )
    try:
        answer = await gateway.handle(query, body)
    except CallbackRejectedError as error:
        return _rejected(error)
    return Response(content=answer.body, media_type=answer.media_type)


def build_gateway(
    settings: Settings, *, conversation_router: ConversationHandler, **overrides: Any
) -> WechatGateway:
    """The gateway for `settings` (`overrides`: extra WechatGateway arguments, for tests).

    Raises:
        ValueError: WECHAT_ENCODING_AES_KEY is set but not a valid key.
    """
    crypto = (
        MessageCrypto(
            encoding_aes_key=settings.wechat_encoding_aes_key, app_id=settings.wechat_app_id
        )
        if settings.wechat_encoding_aes_key
        else None
    )
    guard = CallbackGuard(
        token=settings.wechat_token,
        crypto=crypto,
        seen=SeenKeys(ttl_seconds=2 * MAX_SKEW_SECONDS + 60),
    )
    api = WechatApi(
        app_id=settings.wechat_app_id,
        app_secret=settings.wechat_app_secret,
        base_url=settings.wechat_api_base,
    )
    return WechatGateway(router=conversation_router, guard=guard, api=api, **overrides)


@asynccontextmanager
async def wechat_lifespan(
    app: FastAPI, *, settings: Settings, conversation_router: ConversationHandler, desk: Any
) -> AsyncIterator[None]:
    """Run the WeChat side of the web process; nothing without WECHAT_TOKEN."""
    if not settings.wechat_token:
        yield
        return
    if not settings.wechat_app_id or not settings.wechat_app_secret:
        logger.warning("WECHAT_APP_ID/WECHAT_APP_SECRET missing: slow replies cannot be sent")
    try:
        gateway = build_gateway(settings, conversation_router=conversation_router)
    except ValueError:  # a bad key must not take the web chat down: WeChat answers 503
        logger.exception("WeChat connector not started (check WECHAT_ENCODING_AES_KEY)")
        yield
        return
    if desk is not None:
        desk.deliveries.register(CHANNEL, WechatDelivery(gateway))
    app.state.wechat_gateway = gateway
    try:
        yield
    finally:
        app.state.wechat_gateway = None
        await gateway.aclose()
