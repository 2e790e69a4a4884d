"""Callbacks in (plain and safe mode), replies out (passive XML and customer-service API)."""

from __future__ import annotations

import asyncio
import time

from connectors.router import RouterReply
from core.chat import BotMessage
from tests.connectors.wechat.conftest import GREETING, Harness
from tests.connectors.wechat.fake_wechat import (
    ACCOUNT,
    CallbackSigner,
    message_xml,
    text_xml,
    wechat_signature,
)

OPENID = "oWx_citizen-0001abcdefghijklm"
CS_SEND = "/cgi-bin/message/custom/send"


async def test_handshake_echoes_when_signed(harness: Harness) -> None:
    ts, nonce = str(int(time.time())), "n0nce"
    good = {
        "signature": wechat_signature("minzheng_wx_token", ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "echostr": "7071234567",
    }
    response = await harness.client.get("/wechat/callback", params=good)
    assert response.status_code == 200
    assert response.text == "7071234567"

    bad = good | {"signature": wechat_signature("wrong-token", ts, nonce)}
    assert (await harness.client.get("/wechat/callback", params=bad)).status_code == 403


async def test_plain_text_gets_a_passive_reply_with_numbered_choices(harness: Harness) -> None:
    response = await harness.post(harness.signer.plain(text_xml(OPENID, "你好")))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    reply = harness.signer.open_reply(response.text, {})
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT
    assert reply["MsgType"] == "text"
    assert reply["Content"].startswith(GREETING)
    assert "回复数字选择：\n1. 婚姻登记预约\n2. 救助资格预审" in reply["Content"]
    assert "5. 转人工" in reply["Content"]
    call = harness.router.calls[0]
    assert (call.channel, call.sender, call.text) == ("wx", OPENID, "你好")
    assert harness.fake.calls_of(CS_SEND) == []


async def test_encrypted_callback_gets_an_encrypted_reply(harness: Harness) -> None:
    response = await harness.post(harness.signer.encrypted(text_xml(OPENID, "你好")))
    assert response.status_code == 200, response.text
    assert "<Encrypt>" in response.text and GREETING not in response.text
    reply = harness.signer.open_reply(response.text, {})  # checks MsgSignature, decrypts
    assert reply["Content"].startswith(GREETING)
    assert harness.router.calls[0].text == "你好"


async def test_bad_signatures_and_stale_timestamps_are_rejected(harness: Harness) -> None:
    signer = harness.signer
    forged = CallbackSigner(token="not-the-token").plain(text_xml(OPENID, "你好"))
    assert (await harness.post(forged)).status_code == 403

    stale = signer.plain(text_xml(OPENID, "你好"), timestamp=int(time.time()) - 301)
    assert (await harness.post(stale)).status_code == 403

    tampered = signer.encrypted(text_xml(OPENID, "你好"))
    tampered.params["msg_signature"] = "0" * 40
    assert (await harness.post(tampered)).status_code == 403

    wrong_app = CallbackSigner(app_id="wxanotherapp000000").encrypted(text_xml(OPENID, "你好"))
    assert (await harness.post(wrong_app)).status_code == 400

    not_xml = signer.plain("")
    not_xml.body = b"<xml><unclosed>"
    assert (await harness.post(not_xml)).status_code == 400

    doctype = signer.plain("")
    doctype.body = b'<!DOCTYPE x [<!ENTITY a "b">]><xml><MsgType>text</MsgType></xml>'
    assert (await harness.post(doctype)).status_code == 400
    assert harness.router.calls == []


async def test_replayed_request_with_another_body_is_rejected(harness: Harness) -> None:
    first = harness.signer.plain(text_xml(OPENID, "你好"))
    assert (await harness.post(first)).status_code == 200
    # Plain mode signs only (token, timestamp, nonce): a captured query with a new body.
    replay = harness.signer.plain(text_xml(OPENID, "我要转人工"), nonce=first.params["nonce"])
    replay.params = first.params
    response = await harness.post(replay)
    assert response.status_code == 409
    assert [c.text for c in harness.router.calls] == ["你好"]


async def test_identical_replay_gets_the_first_answer_and_is_not_processed_again(
    harness: Harness,
) -> None:
    callback = harness.signer.plain(text_xml(OPENID, "你好"))
    first = await harness.post(callback)
    again = await harness.post(callback)
    assert again.status_code == 200
    content = harness.signer.open_reply(first.text, {})["Content"]
    assert harness.signer.open_reply(again.text, {})["Content"] == content
    assert len(harness.router.calls) == 1


async def test_duplicate_delivery_is_answered_once(harness: Harness) -> None:
    xml = text_xml(OPENID, "你好", msg_id=88001)
    first = await harness.post(harness.signer.plain(xml))
    retry = await harness.post(harness.signer.plain(xml))  # WeChat's retry: new nonce, same MsgId
    identical = await harness.post(harness.signer.plain(xml))
    assert len(harness.router.calls) == 1
    first_content = harness.signer.open_reply(first.text, {})["Content"]
    # The retry means WeChat did not get the first answer: the same reply, not a new question.
    assert harness.signer.open_reply(retry.text, {})["Content"] == first_content
    assert harness.signer.open_reply(identical.text, {})["Content"] == first_content
    assert harness.fake.calls_of(CS_SEND) == []


async def test_slow_reply_is_acknowledged_and_sent_through_the_customer_service_api(
    harness: Harness,
) -> None:
    harness.router.delay = 1.0  # longer than the passive window (0.5 s in these tests)
    xml = text_xml(OPENID, "你好", msg_id=88002)
    started = time.monotonic()
    response = await harness.post(harness.signer.plain(xml))
    assert response.status_code == 200 and response.text == "success"
    assert time.monotonic() - started < 0.9
    # WeChat retries while the assistant is still busy: still one question, one answer.
    retry = await harness.post(harness.signer.plain(xml))
    assert retry.text == "success"
    await harness.gateway.idle()
    sent = harness.fake.sent_texts(OPENID)
    assert len(sent) == 1 and sent[0].startswith(GREETING) and "1. 婚姻登记预约" in sent[0]
    assert len(harness.router.calls) == 1
    token_calls = harness.fake.calls_of("/cgi-bin/token")
    assert len(token_calls) == 1
    assert harness.fake.calls_of(CS_SEND)[0].query["access_token"] == "TOKEN-1"


async def test_duplicate_event_is_answered_once(harness: Harness) -> None:
    created = int(time.time())
    xml = message_xml(OPENID, "event", create_time=created, Event="subscribe", EventKey="")
    await harness.post(harness.signer.plain(xml))
    await harness.post(harness.signer.plain(xml))
    assert [c.text for c in harness.router.calls] == ["/greet"]


async def test_a_number_selects_the_last_choices(harness: Harness) -> None:
    await harness.post(harness.signer.plain(text_xml(OPENID, "你好")))
    response = await harness.post(harness.signer.plain(text_xml(OPENID, "２")))
    assert harness.router.calls[-1].text == "/request_prescreen"
    assert "收到：/request_prescreen" in harness.signer.open_reply(response.text, {})["Content"]
    # That reply had no choices: a number is just text again.
    await harness.post(harness.signer.plain(text_xml(OPENID, "2")))
    assert harness.router.calls[-1].text == "2"
    # Another citizen's numbers are their own.
    await harness.post(harness.signer.plain(text_xml("oOther-citizen-000000000000", "1")))
    assert harness.router.calls[-1].text == "1"


async def test_out_of_range_number_is_passed_on_as_text(harness: Harness) -> None:
    await harness.post(harness.signer.plain(text_xml(OPENID, "你好")))
    await harness.post(harness.signer.plain(text_xml(OPENID, "9")))
    assert harness.router.calls[-1].text == "9"


async def test_location_becomes_the_eldercare_location_payload(harness: Harness) -> None:
    # WeChat sends GCJ-02: this is WGS-84 (30.2741, 120.1551) as WeChat reports it.
    xml = message_xml(
        OPENID,
        "location",
        Location_X="30.271771",
        Location_Y="120.159794",
        Scale=15,
        Label="浙江省杭州市西湖区",
        MsgId=88003,
    )
    await harness.post(harness.signer.plain(xml))
    call = harness.router.calls[0]
    assert call.metadata is not None
    point = call.metadata["location"]
    assert abs(point["lat"] - 30.2741) < 0.0001 and abs(point["lon"] - 120.1551) < 0.0001
    assert call.text.startswith("/share_location{")
    assert f'"lat": {point["lat"]}' in call.text


async def test_subscribe_greets_and_menu_click_sends_the_payload(harness: Harness) -> None:
    subscribe = message_xml(OPENID, "event", Event="subscribe", EventKey="")
    response = await harness.post(harness.signer.plain(subscribe))
    assert harness.router.calls[-1].text == "/greet"
    assert "1. 婚姻登记预约" in harness.signer.open_reply(response.text, {})["Content"]

    click = message_xml(
        OPENID, "event", create_time=int(time.time()) + 1, Event="CLICK",
        EventKey="/request_eldercare",
    )  # fmt: skip
    await harness.post(harness.signer.plain(click))
    assert harness.router.calls[-1].text == "/request_eldercare"


async def test_other_events_are_acknowledged_silently(harness: Harness) -> None:
    for event in ("unsubscribe", "VIEW", "LOCATION"):
        xml = message_xml(OPENID, "event", Event=event, EventKey="https://example.gov.cn")
        response = await harness.post(harness.signer.plain(xml))
        assert response.text == "success"
    assert harness.router.calls == []


async def test_media_gets_a_polite_explanation(harness: Harness) -> None:
    for index, kind in enumerate(("image", "voice", "video", "shortvideo", "file")):
        xml = message_xml(OPENID, kind, MediaId="media-1", MsgId=89000 + index)
        response = await harness.post(harness.signer.plain(xml))
        content = harness.signer.open_reply(response.text, {})["Content"]
        assert "只能看懂文字和位置" in content and "12345" in content
    assert harness.router.calls == []


async def test_voice_with_recognition_is_routed_as_text(harness: Harness) -> None:
    xml = message_xml(OPENID, "voice", MediaId="m", Format="amr", Recognition="你好", MsgId=89100)
    await harness.post(harness.signer.plain(xml))
    assert harness.router.calls[0].text == "你好"


async def test_long_reply_is_split_passive_first_then_customer_service(harness: Harness) -> None:
    paragraphs = [f"第{i}段：" + "婚姻登记需要带身份证和户口簿。" * 12 for i in range(1, 9)]
    harness.router.replies["材料"] = RouterReply(messages=[BotMessage(text="\n".join(paragraphs))])
    response = await harness.post(harness.signer.plain(text_xml(OPENID, "材料")))
    passive = harness.signer.open_reply(response.text, {})["Content"]
    assert len(passive.encode("utf-8")) <= 2048
    await harness.gateway.idle()
    rest = harness.fake.sent_texts(OPENID)
    assert rest and all(len(t.encode("utf-8")) <= 2048 for t in rest)
    assert "\n".join([passive, *rest]) == "\n".join(paragraphs)


async def test_assistant_down_gets_the_hotline(harness: Harness) -> None:
    from connectors.rasa_client import AssistantUnavailableError

    async def down(**_: object) -> RouterReply:
        raise AssistantUnavailableError("rasa down")

    harness.gateway.router.handle = down  # type: ignore[method-assign]
    response = await harness.post(harness.signer.plain(text_xml(OPENID, "你好")))
    assert "12345" in harness.signer.open_reply(response.text, {})["Content"]


async def test_silent_turn_is_acknowledged(harness: Harness) -> None:
    harness.router.replies["在吗"] = RouterReply()  # a person owns the chat: the bot is silent
    response = await harness.post(harness.signer.plain(text_xml(OPENID, "在吗")))
    assert response.text == "success"
    await asyncio.sleep(0)
    assert harness.fake.calls_of(CS_SEND) == []
