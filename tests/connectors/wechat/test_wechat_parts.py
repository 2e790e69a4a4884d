"""The pieces: crypto (against a wechatpy-made vector), XML, rendering, choices, coordinates."""

from __future__ import annotations

import pytest

from connectors.wechat.choices import ChoiceMemory
from connectors.wechat.coordinates import gcj02_to_wgs84, wgs84_to_gcj02
from connectors.wechat.crypto import MessageCrypto, WechatCryptoError, sha1_signature
from connectors.wechat.envelope import EnvelopeError, parse_xml, text_reply_xml
from connectors.wechat.inbound import understand
from connectors.wechat.rendering import Choice, render, split_text, utf8_len
from connectors.wechat.ttl_cache import SeenKeys, TtlCache
from core.chat import BotMessage, Button

# Made once with wechatpy 1.8.18 (WeChatCrypto.encrypt_message), the widely used implementation.
REF_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
REF_APP_ID = "wx5823bf96d3bd56c7"
REF_TOKEN, REF_TIMESTAMP, REF_NONCE = "minzheng_token", "1795900000", "1372623149"
REF_ENCRYPT = (
    "d/+IYikscLvabavhnm++KE3vBHNK71xC2QR9d/jxzBoHnWnEGatJs3TkAHbKWwVTlPDZlGNxadirGpcbVLrzOdR6PRUm"
    "tSoGMetJDYAjsREl0BCc+p78tJqa2rctTp8pMrPeFCZCtdblTrHNsmBPk/O5un1zL9bTZgo7XHKAEf4bnZurfQV8lzRd"
    "gU+2RVmvQXutJDyqQpfVMnNIbjWtn7TO+ASNhoIDxyenG3741WCK/T/K4oqf9K90JlAGND4jPjKDO5GmZTVO/Ylo6A2+"
    "ZGsSGqZ998pt44OmLSqPf6RRZ3KnXgXmpsABCTwgOLqUsliyCHs04VOXLSJZDGEPkbcEmnyKDuC8P8/7mOUmc5gIrsCl"
    "PHYbD3nwJApkvRFnb3DUScElRWN1lYQoL5//w0yqa1nnc0ZcvXtikUL/gdw="
)
REF_MSG_SIGNATURE = "a27c1709eb93bd28ca90b607582711bf82848849"
# Our ciphertext of "<xml><Content><![CDATA[回复]]></Content></xml>" with the random prefix
# b"0123456789abcdef"; wechatpy's PrpCrypto.decrypt returned the same XML.
OUR_ENCRYPT = (
    "pxDvIKtJjb6ivztGO70jSvpEXFfZcIINATkUewDMobMYc+h8ah3DYwUDz3iauogLM8lGM1kgqDE+ulvDwnd/Iu+4/qg0"
    "cucIInb4SCpaKWQgjLjqWdo8qM81WGYuyPzE"
)


def ref_crypto() -> MessageCrypto:
    return MessageCrypto(encoding_aes_key=REF_KEY, app_id=REF_APP_ID)


def test_decrypts_the_reference_message_and_checks_its_signature() -> None:
    assert sha1_signature(REF_TOKEN, REF_TIMESTAMP, REF_NONCE, REF_ENCRYPT) == REF_MSG_SIGNATURE
    fields = parse_xml(ref_crypto().decrypt(REF_ENCRYPT))
    assert fields["Content"] == "你好，结婚登记"
    assert fields["FromUserName"] == "oRef-openid_123"


def test_encrypts_like_the_reference_implementation() -> None:
    message = "<xml><Content><![CDATA[回复]]></Content></xml>"
    assert ref_crypto().encrypt(message, random_prefix=b"0123456789abcdef") == OUR_ENCRYPT
    assert ref_crypto().decrypt(ref_crypto().encrypt(message)) == message


def test_refuses_other_app_ids_keys_and_garbage() -> None:
    with pytest.raises(WechatCryptoError):
        MessageCrypto(encoding_aes_key=REF_KEY, app_id="wxsomeoneelse00000").decrypt(REF_ENCRYPT)
    other_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    with pytest.raises(WechatCryptoError):
        MessageCrypto(encoding_aes_key=other_key, app_id=REF_APP_ID).decrypt(REF_ENCRYPT)
    with pytest.raises(WechatCryptoError):
        ref_crypto().decrypt("not base64!")
    with pytest.raises(ValueError, match="43"):
        MessageCrypto(encoding_aes_key="short", app_id=REF_APP_ID)


def test_reply_xml_survives_cdata_terminators() -> None:
    xml = text_reply_xml(to_user="o1", from_user="gh", create_time=1, content="a]]>b <&>")
    assert parse_xml(xml)["Content"] == "a]]>b <&>"
    with pytest.raises(EnvelopeError):
        parse_xml(b"<notxml/>")
    with pytest.raises(EnvelopeError):
        parse_xml(b"<?xml version='1.0'?><!DOCTYPE xml SYSTEM 'file:///etc/passwd'><xml/>")


def test_buttons_become_numbered_choices_and_links_stay_links() -> None:
    reply = render(
        [
            BotMessage(
                text="请选择：",
                buttons=[
                    Button(title="婚姻登记预约", payload="/request_marriage_booking"),
                    Button(title="办事指南", payload="https://mzj.hangzhou.gov.cn/guide"),
                    Button(title="转人工", payload="/request_human"),
                ],
            ),
            BotMessage(image="https://example.gov.cn/map.png"),
        ],
        notices=["您的消息比较长，我只读取了前 500 个字。"],
    )
    assert reply.texts == [
        "您的消息比较长，我只读取了前 500 个字。\n\n"
        "请选择：\n办事指南：https://mzj.hangzhou.gov.cn/guide\n"
        "回复数字选择：\n1. 婚姻登记预约\n2. 转人工\n\n"
        "图片：https://example.gov.cn/map.png"
    ]
    assert reply.choices == [
        Choice("婚姻登记预约", "/request_marriage_booking"),
        Choice("转人工", "/request_human"),
    ]


def test_split_keeps_every_piece_within_the_byte_limit() -> None:
    text = "\n".join(["短行"] * 3 + ["长" * 1000] + ["尾"])
    pieces = split_text(text, limit=100)
    assert all(utf8_len(p) <= 100 for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    assert pieces[0] == "短行\n短行\n短行"
    assert split_text("", limit=10) == []


def test_choices_expire_and_accept_full_width_digits() -> None:
    now = [0.0]
    memory = ChoiceMemory(ttl_seconds=60, clock=lambda: now[0])
    memory.remember("o1", [Choice("甲", "/a"), Choice("乙", "/b")])
    assert memory.pick("o1", "２") == Choice("乙", "/b")
    assert memory.pick("o1", " 1. ") == Choice("甲", "/a")
    assert memory.pick("o1", "\u200b2\ufeff") == Choice("乙", "/b")  # invisible characters
    assert memory.pick("o1", "3") is None
    assert memory.pick("o1", "12岁") is None
    assert memory.pick("o2", "1") is None
    now[0] = 61
    assert memory.pick("o1", "1") is None
    memory.remember("o1", [Choice("甲", "/a")])
    memory.remember("o1", [])
    assert memory.pick("o1", "1") is None


def test_gcj02_round_trip_within_a_metre() -> None:
    gcj = wgs84_to_gcj02(30.2741, 120.1551)
    assert abs(gcj[0] - 30.2741) > 0.001  # the offset is real in Hangzhou
    lat, lon = gcj02_to_wgs84(*gcj)
    assert abs(lat - 30.2741) < 1e-5 and abs(lon - 120.1551) < 1e-5
    assert gcj02_to_wgs84(48.85, 2.35) == (48.85, 2.35)  # outside China: unchanged


def test_understand_dedup_keys() -> None:
    text = understand({"FromUserName": "o", "ToUserName": "gh", "MsgType": "text", "MsgId": "7"})
    assert text.dedup_key == "msg:7"
    event = understand(
        {"FromUserName": "o", "MsgType": "event", "Event": "subscribe", "CreateTime": "99"}
    )
    assert event.dedup_key == "event:o:99" and event.text == "/greet"
    bad_location = understand({"FromUserName": "o", "MsgType": "location", "Location_X": "x"})
    assert bad_location.kind == "unsupported"


def test_ttl_cache_and_seen_keys() -> None:
    now = [0.0]
    cache: TtlCache[int] = TtlCache(ttl_seconds=10, max_items=2, clock=lambda: now[0])
    cache.set("a", 1)
    cache.set("b", 2)
    cache.set("c", 3)
    assert cache.get("a") is None and cache.get("c") == 3  # oldest dropped beyond max_items
    now[0] = 11
    assert cache.get("b") is None
    seen = SeenKeys(ttl_seconds=5, clock=lambda: now[0])
    assert seen.add_if_new("k") and not seen.add_if_new("k")
    now[0] = 20
    assert seen.add_if_new("k")
