from __future__ import annotations

import json

import httpx
import pytest

from connectors.rasa_client import AssistantUnavailableError, RasaClient
from connectors.router import ConversationRouter, RouterReply


def make_router(handler, max_chars: int = 10) -> ConversationRouter:
    rasa = RasaClient(
        rasa_url="http://rasa",
        action_server_url="http://actions",
        timeout=5,
        transport=httpx.MockTransport(handler),
    )
    return ConversationRouter(rasa=rasa, max_chars=max_chars)


async def test_message_is_normalised_once_and_sent_with_a_channel_scoped_id() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=[{"recipient_id": "x", "text": "好的"}])

    reply = await make_router(handler, max_chars=50).handle(
        channel="web", sender="abc12345", text="  我想預約結婚登記１２３  "
    )
    assert seen == [{"sender": "web-abc12345", "message": "我想预约结婚登记123"}]
    assert [m.text for m in reply.messages] == ["好的"]
    assert reply.notices == []


async def test_zero_width_characters_never_reach_the_assistant() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["message"])
        return httpx.Response(200, json=[{"recipient_id": "x", "text": "好的"}])

    await make_router(handler, max_chars=50).handle(
        channel="web", sender="abc12345", text="低\u200b保怎么\u3000申请\ufeff"
    )
    assert seen == ["低保怎么 申请"]


async def test_empty_input_is_not_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("must not reach rasa")

    reply = await make_router(handler).handle(channel="web", sender="abc12345", text=" \u3000 ")
    assert reply.messages == []
    assert len(reply.notices) == 1


async def test_long_input_is_truncated_with_a_notice() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["message"])
        return httpx.Response(200, json=[{"text": "收到"}])

    reply = await make_router(handler, max_chars=10).handle(
        channel="web", sender="abc12345", text="一" * 30
    )
    assert seen == ["一" * 10]
    assert "10" in reply.notices[0]


async def test_rasa_down_raises_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(AssistantUnavailableError):
        await make_router(handler).handle(channel="web", sender="abc12345", text="你好")


async def test_empty_reply_with_action_server_down_is_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "actions":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=[])

    with pytest.raises(AssistantUnavailableError):
        await make_router(handler).handle(channel="web", sender="abc12345", text="你好")


async def test_empty_reply_with_action_server_up_gets_a_notice() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "actions":
            return httpx.Response(200, json={"status": "ok"})
        return httpx.Response(200, json=[])

    reply = await make_router(handler).handle(channel="web", sender="abc12345", text="你好")
    assert reply.messages == []
    assert "没能处理好" in reply.notices[0]


async def test_rasa_error_status_is_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="boom")

    with pytest.raises(AssistantUnavailableError):
        await make_router(handler).handle(channel="web", sender="abc12345", text="你好")


def test_channels_without_a_status_line_get_the_receipt_after_the_notices() -> None:
    reply = RouterReply(notices=["提示"], receipt="已送达人工客服 小王")
    assert reply.notices_and_receipt() == ["提示", "已送达人工客服 小王"]
    assert RouterReply(notices=["提示"]).notices_and_receipt() == ["提示"]
