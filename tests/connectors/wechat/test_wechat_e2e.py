"""End to end: signed WeChat callbacks into the live stack, replies out to a fake WeChat server.

The stack's WeChat settings come from tests/conftest.py (`channel_test_env`); its
WECHAT_API_BASE port is where this module starts the fake server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from testkit.stack import LiveStack
from tests.connectors.wechat.fake_wechat import (
    AES_KEY,
    APP_ID,
    APP_SECRET,
    TOKEN,
    CallbackSigner,
    FakeWechat,
    text_xml,
)

pytestmark = pytest.mark.e2e

STAFF = {"username": "agent1", "password": "dev-agent1-pass"}  # embedded seed (seed_staff.yml)


@pytest.fixture
def wechat(live_stack: LiveStack) -> Iterator[FakeWechat]:
    env = live_stack.extra_env
    assert (env["WECHAT_TOKEN"], env["WECHAT_APP_ID"]) == (TOKEN, APP_ID)
    assert (env["WECHAT_APP_SECRET"], env["WECHAT_ENCODING_AES_KEY"]) == (APP_SECRET, AES_KEY)
    port = urlsplit(env["WECHAT_API_BASE"]).port
    assert port is not None
    with FakeWechat(port=port) as fake:
        yield fake


def post(stack: LiveStack, callback: object) -> httpx.Response:
    return httpx.post(
        f"{stack.web_url}/wechat/callback",
        params=callback.params,  # type: ignore[attr-defined]
        content=callback.body,  # type: ignore[attr-defined]
        timeout=10,
    )


def reply_text(signer: CallbackSigner, response: httpx.Response) -> str:
    """The passive reply's text, or nothing when WeChat was answered "success"."""
    assert response.status_code == 200, response.text
    if response.text == "success":
        return ""
    return signer.open_reply(response.text, {})["Content"]


def test_greeting_numbered_choices_and_a_handover_round_trip(
    live_stack: LiveStack, wechat: FakeWechat
) -> None:
    signer = CallbackSigner()
    open_id = f"oE2E-{int(time.time())}-wechat-citizen"

    started = time.monotonic()
    response = post(live_stack, signer.encrypted(text_xml(open_id, "你好")))
    assert time.monotonic() - started < 5.0
    greeting = reply_text(signer, response)
    if not greeting:  # slower than the passive window (cold start): sent by the service API
        wechat.wait_for(lambda: bool(wechat.sent_texts(open_id)), timeout=30)
        greeting = wechat.sent_texts(open_id)[0]
    assert "智能助手" in greeting
    assert "回复数字选择：" in greeting and "1. 婚姻登记预约" in greeting
    number = next(line.split(".")[0] for line in greeting.splitlines() if line.endswith(". 转人工"))

    forged = CallbackSigner(token="wrong").plain(text_xml(open_id, "你好"))
    assert post(live_stack, forged).status_code == 403

    with httpx.Client(base_url=live_stack.web_url, timeout=30) as staff:
        assert staff.post("/api/handoff/login", json=STAFF).status_code == 200
        assert staff.post("/api/handoff/duty", json={"on": True}).status_code == 200  # any hour
        try:
            # The number picks 转人工 from the greeting's choices.
            asked = reply_text(signer, post(live_stack, signer.plain(text_xml(open_id, number))))
            queue = staff.get("/api/handoff/queue").json()["tickets"]
            ticket = next(t for t in queue if t["conversation_id"] == f"wx-{open_id}")
            assert "排在第" in asked or ticket["status"] == "waiting"

            claim = staff.post(f"/api/handoff/tickets/{ticket['id']}/claim")
            assert claim.status_code == 200, claim.text
            reply = staff.post(
                f"/api/handoff/tickets/{ticket['id']}/reply",
                json={"text": "您好，我是小王，请问有什么可以帮您？"},
            )
            assert reply.status_code == 200, reply.text
            wechat.wait_for(
                lambda: (
                    "人工客服 小王：您好，我是小王，请问有什么可以帮您？"
                    in wechat.sent_texts(open_id)
                ),
                timeout=15,
            )

            # The citizen's next message goes to the ticket, not to the bot; a short line (not
            # the bot speaking) says it reached the staff member.
            delivered = post(live_stack, signer.plain(text_xml(open_id, "我想问问低保怎么申请")))
            assert reply_text(signer, delivered) == "已送达人工客服 小王"
            view = staff.get(f"/api/handoff/tickets/{ticket['id']}").json()
            assert any(m["text"] == "我想问问低保怎么申请" for m in view["messages"])
        finally:
            staff.post("/api/handoff/duty", json={"on": False})
