"""The server API against the fake WeChat: token cache and refresh, menu, staff delivery."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from backoffice.records.handoff.delivery import DeliveryRegistry, OutboundMessage
from connectors.wechat.api import WechatApi, WechatApiError
from connectors.wechat.delivery import WechatDelivery
from connectors.wechat.menu import MenuError, build_menu, create_menu, load_menu
from connectors.wechat.routes import build_gateway
from core.settings import PROJECT_ROOT
from testkit.stack_basics import APP_PYTHON
from tests.connectors.wechat.conftest import FakeRouter, Harness, wechat_settings
from tests.connectors.wechat.fake_wechat import APP_ID, APP_SECRET, FakeWechat, text_xml

CS_SEND = "/cgi-bin/message/custom/send"
OPENID = "oWx_citizen-0002abcdefghijklm"


def make_api(fake: FakeWechat, clock: list[float]) -> WechatApi:
    return WechatApi(
        app_id=APP_ID, app_secret=APP_SECRET, base_url=fake.base_url, clock=lambda: clock[0]
    )


async def test_access_token_is_cached_and_refreshed_before_expiry(fake: FakeWechat) -> None:
    clock = [1000.0]
    api = make_api(fake, clock)
    try:
        await api.send_text(OPENID, "一")
        await api.send_text(OPENID, "二")
        assert len(fake.calls_of("/cgi-bin/token")) == 1
        clock[0] += 7200 - 301  # still more than the 5-minute margin left
        await api.send_text(OPENID, "三")
        assert len(fake.calls_of("/cgi-bin/token")) == 1
        clock[0] += 2  # inside the margin: fetched again before WeChat expires it
        await api.send_text(OPENID, "四")
        assert len(fake.calls_of("/cgi-bin/token")) == 2
        assert fake.calls_of(CS_SEND)[-1].query["access_token"] == "TOKEN-2"
        assert fake.sent_texts(OPENID) == ["一", "二", "三", "四"]
    finally:
        await api.aclose()


async def test_rejected_token_is_replaced_and_the_call_retried_once(fake: FakeWechat) -> None:
    api = make_api(fake, [0.0])
    try:
        await api.send_text(OPENID, "一")
        fake.fail_next(CS_SEND, 42001)  # access_token expired (e.g. fetched elsewhere)
        await api.send_text(OPENID, "二")
        assert len(fake.calls_of("/cgi-bin/token")) == 2
        assert fake.sent_texts(OPENID) == ["一", "二"]
        fake.fail_next(CS_SEND, 45015)  # citizen silent for 48 h: not retried
        with pytest.raises(WechatApiError) as raised:
            await api.send_text(OPENID, "三")
        assert raised.value.errcode == 45015
    finally:
        await api.aclose()


async def test_wrong_secret_is_an_error(fake: FakeWechat) -> None:
    api = WechatApi(app_id=APP_ID, app_secret="wrong", base_url=fake.base_url)
    try:
        with pytest.raises(WechatApiError) as raised:
            await api.send_text(OPENID, "一")
        assert raised.value.errcode == 40013
    finally:
        await api.aclose()


async def test_menu_from_yaml_is_created(fake: FakeWechat) -> None:
    api = make_api(fake, [0.0])
    try:
        await create_menu(api)
    finally:
        await api.aclose()
    (call,) = fake.calls_of("/cgi-bin/menu/create")
    assert "办事服务".encode() in call.raw  # raw UTF-8, not \\u escapes
    assert call.body is not None
    buttons = call.body["button"]
    services = {s["name"]: s["key"] for s in buttons[0]["sub_button"]}
    assert services == {
        "婚姻登记预约": "/request_marriage_booking",
        "救助资格预审": "/request_prescreen",
        "找养老": "/request_eldercare",
        "慈善捐赠": "/request_donation",
    }
    assert buttons[1] == {"type": "click", "name": "转人工", "key": "/request_human"}


def test_menu_rules_are_checked() -> None:
    assert len(load_menu()["button"]) <= 3
    with pytest.raises(MenuError):
        build_menu({"menu": [{"name": "一二三四五", "payload": "/greet"}]})
    with pytest.raises(MenuError):
        build_menu({"menu": [{"name": "服务", "items": [{"name": "甲", "payload": "/a"}] * 6}]})
    with pytest.raises(MenuError):
        build_menu({"menu": [{"name": "服务"}] * 4})
    with pytest.raises(MenuError):
        build_menu({"menu": [{"name": "服务", "items": [{"name": "没有载荷"}]}]})
    link = build_menu({"menu": [{"name": "官网", "url": "https://mzj.hangzhou.gov.cn"}]})
    assert link["button"][0]["type"] == "view"


def test_make_wechat_menu_command(fake: FakeWechat, tmp_path: Path) -> None:
    env = dict(os.environ) | {
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_API_BASE": fake.base_url,
    }
    result = subprocess.run(
        [str(APP_PYTHON), "-m", "connectors.wechat.menu"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "menu created" in result.stdout
    assert len(fake.calls_of("/cgi-bin/menu/create")) == 1

    env["WECHAT_APP_SECRET"] = "wrong"
    failed = subprocess.run(
        [str(APP_PYTHON), "-m", "connectors.wechat.menu"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert failed.returncode == 1 and "40013" in failed.stderr


async def test_staff_replies_reach_the_customer_service_api(harness: Harness) -> None:
    registry = DeliveryRegistry()
    registry.register("wx", WechatDelivery(harness.gateway))
    await registry.deliver(
        channel="wx",
        conversation_id=f"wx-{OPENID}",
        sender=OPENID,
        messages=[
            OutboundMessage(id=1, kind="status", text="人工客服 小王 已接入，正在查看您的情况。"),
            OutboundMessage(
                id=2, kind="staff", text="您好，请问有什么可以帮您？", staff_name="小王"
            ),
            OutboundMessage(
                id=3,
                kind="status",
                text="您在排队中。",
                buttons=[{"title": "不等了", "payload": "/cancel_handoff"}],
            ),
        ],
    )
    (sent,) = harness.fake.sent_texts(OPENID)
    assert "人工客服 小王：您好，请问有什么可以帮您？" in sent
    assert "回复数字选择：\n1. 不等了" in sent
    # The citizen answers the desk's choice by number.
    await harness.post(harness.signer.plain(text_xml(OPENID, "1")))
    assert harness.router.calls[-1].text == "/cancel_handoff"


async def test_routes_exist_only_with_a_token(fake: FakeWechat) -> None:
    from web.main import create_app

    async def status(app: FastAPI) -> int:
        transport = httpx.ASGITransport(app=app)  # no lifespan: the gateway is not built
        async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as client:
            return (await client.get("/wechat/callback")).status_code

    assert await status(create_app(wechat_settings(fake))) == 503  # mounted, not started
    assert await status(create_app(wechat_settings(fake, wechat_token=""))) == 404


async def test_plain_only_account_refuses_encrypted_callbacks(fake: FakeWechat) -> None:
    gateway = build_gateway(
        wechat_settings(fake, wechat_encoding_aes_key=""), conversation_router=FakeRouter()
    )
    try:
        assert gateway.guard.crypto is None
    finally:
        await gateway.aclose()


async def test_bad_aes_key_leaves_the_web_app_running(fake: FakeWechat) -> None:
    from connectors.wechat.routes import wechat_lifespan

    app = FastAPI()
    settings = wechat_settings(fake, wechat_encoding_aes_key="too-short")
    async with wechat_lifespan(app, settings=settings, conversation_router=FakeRouter(), desk=None):
        assert getattr(app.state, "wechat_gateway", None) is None
    async with wechat_lifespan(
        app, settings=wechat_settings(fake), conversation_router=FakeRouter(), desk=None
    ):
        assert app.state.wechat_gateway is not None
    assert app.state.wechat_gateway is None
