"""Pure parts of the Telegram connector: rendering, splitting, callback data, rate limit."""

from __future__ import annotations

import pytest

from connectors.telegram.callbacks import (
    CALLBACK_DATA_LIMIT,
    KEY_PREFIX,
    CallbackCodec,
    MemoryPayloadStore,
)
from connectors.telegram.gateway import command_payload, location_payload
from connectors.telegram.rate_limit import ChatRateLimiter
from connectors.telegram.rendering import split_text, to_html, utf16_length
from tests.connectors.telegram.telegram_html import parse_html


def test_html_escapes_every_special_character_and_links_become_anchors() -> None:
    text = "收入<3000 & 存款>5万？详见 https://a.gov.cn/x?a=1&b=<2>，或 http://b.cn/p."
    rendered = to_html(text)
    visible, links = parse_html(rendered)
    assert visible == text
    assert links == ["https://a.gov.cn/x?a=1&b=", "http://b.cn/p"]
    assert "<3000" not in rendered and "&amp;" in rendered


def test_text_without_specials_is_unchanged() -> None:
    assert to_html("您好，请问您要办理什么？") == "您好，请问您要办理什么？"


def test_split_keeps_short_text_whole_and_cuts_long_text_between_lines() -> None:
    assert split_text("短消息") == ["短消息"]
    lines = [f"{n:03d}" + "字" * 96 for n in range(100)]  # 100 lines of 99 characters
    chunks = split_text("\n".join(lines), limit=1000)
    assert all(utf16_length(chunk) <= 1000 for chunk in chunks)
    assert "\n".join(chunks) == "\n".join(lines)
    assert all(chunk.split("\n")[0][:3].isdigit() for chunk in chunks)


def test_split_cuts_an_overlong_line_without_breaking_surrogate_pairs() -> None:
    line = "😀" * 30  # 60 UTF-16 units
    chunks = split_text(line, limit=25)
    assert "".join(chunks) == line
    assert all(utf16_length(chunk) <= 25 for chunk in chunks)


async def test_short_payloads_are_the_callback_data_long_ones_get_a_stored_key() -> None:
    store = MemoryPayloadStore()
    codec = CallbackCodec(store)
    assert await codec.encode("/affirm") == "/affirm"
    long = '/choose_facility{"facility_id": "YL-0001-西湖区某某照料中心"}'
    assert len(long.encode()) > CALLBACK_DATA_LIMIT
    key = await codec.encode(long)
    assert key.startswith(KEY_PREFIX) and len(key) <= CALLBACK_DATA_LIMIT
    assert await codec.encode(long) == key  # stable
    assert await CallbackCodec(store).decode(key) == long  # another process, same store
    assert await codec.decode("/affirm") == "/affirm"
    assert await codec.decode(KEY_PREFIX + "missing") is None


async def test_a_payload_that_looks_like_a_key_goes_through_the_store() -> None:
    codec = CallbackCodec(MemoryPayloadStore())
    data = await codec.encode("k:abc")
    assert data != "k:abc"
    assert await codec.decode(data) == "k:abc"


def test_rate_limiter_allows_a_burst_refills_and_notifies_once_per_flood() -> None:
    now = [0.0]
    limiter = ChatRateLimiter(burst=2, per_minute=6, clock=lambda: now[0])  # one per 10 s
    decisions = [limiter.check("1") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, False, False]
    assert [d.notify for d in decisions] == [False, False, True, False]
    assert limiter.check("2").allowed  # every chat has its own bucket
    now[0] = 10.0
    assert limiter.check("1").allowed
    refused = limiter.check("1")
    assert not refused.allowed and refused.notify  # a new flood is told again


@pytest.mark.parametrize(
    ("text", "payload"),
    [("/start", "/greet"), ("/HELP", "/request_menu"), ("/human 请帮我", "/request_human")],
)
def test_command_payloads(text: str, payload: str) -> None:
    assert command_payload(text) == payload


def test_unknown_command_has_no_payload() -> None:
    assert command_payload("/request_marriage_booking") is None


def test_location_payload_matches_the_eldercare_convention() -> None:
    text, metadata = location_payload(30.27412345678, 120.1551)
    assert text == '/share_location{"lat": 30.274123, "lon": 120.1551}'
    assert metadata == {"location": {"lat": 30.274123, "lon": 120.1551}}
