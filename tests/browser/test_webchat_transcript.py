"""The web chat's stored conversation in real Chromium: kept over a reload, masked, forgotten."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.webchat_support import greeted, send_text, stored_transcript

pytestmark = pytest.mark.browser


def test_conversation_and_used_buttons_survive_a_reload(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    page.get_by_role("button", name="找养老").click()
    expect(page.locator(".bubble-bot")).to_have_count(2)
    send_text(page, "西湖区附近")
    expect(page.locator(".bubble-bot")).to_have_count(3)
    before = page.locator("#transcript").inner_text()
    sender = fake_bot.received[0]["sender"]

    page.reload()

    expect(page.locator(".bubble-bot")).to_have_count(3)
    assert page.locator("#transcript").inner_text() == before
    expect(page.get_by_role("button", name="找养老")).to_be_disabled()
    expect(page.get_by_role("button", name="找养老")).to_have_class(re.compile(r"\bchosen\b"))
    assert fake_bot.messages().count("/greet") == 1  # no second greeting after a reload
    send_text(page, "还在吗")
    expect(page.locator(".bubble-bot").last).to_contain_text("您说的是：还在吗")
    assert fake_bot.received[-1]["sender"] == sender


def test_the_stored_copy_masks_id_and_mobile_numbers(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    typed = "身份证 330106.19920315.3586，手机 １３８-００１３-８０００，预约号 HY-20261205-0001"
    send_text(page, typed)
    expect(page.locator(".bubble-bot")).to_have_count(2)

    stored = json.dumps(stored_transcript(page), ensure_ascii=False)
    assert "19920315" not in stored and "0013" not in stored and "００１３" not in stored
    assert "330*************86" in stored and "１３８******００" in stored
    assert "HY-20261205-0001" in stored  # a booking reference is not personal
    # What the citizen sees on the screen now is left alone.
    expect(page.locator(".bubble-user").last).to_contain_text("330106.19920315.3586")


def test_a_stored_conversation_is_forgotten_after_a_day(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    send_text(page, "昨天的话")
    expect(page.locator(".bubble-bot")).to_have_count(2)
    page.evaluate(
        """() => {
          const data = JSON.parse(localStorage.getItem('mzWebchat.transcript'));
          data.savedAt = Date.now() - 25 * 60 * 60 * 1000;
          localStorage.setItem('mzWebchat.transcript', JSON.stringify(data));
        }"""
    )

    page.reload()

    greeted(page)
    expect(page.locator("#transcript")).not_to_contain_text("昨天的话")
    assert all("昨天的话" not in str(entry["text"]) for entry in stored_transcript(page))


def test_restart_clears_the_transcript_and_greets_again(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    send_text(page, "你好")
    expect(page.locator(".bubble-bot")).to_have_count(2)

    page.get_by_role("button", name="重新开始").click()

    expect(page.locator(".bubble-user")).to_have_count(0)
    expect(page.locator(".bubble-bot")).to_have_count(1)
    greeted(page)
    assert fake_bot.messages()[-2:] == ["/restart", "/greet"]
    entries = stored_transcript(page)
    assert [entry["role"] for entry in entries] == ["bot"]
    page.reload()
    expect(page.locator(".bubble-bot")).to_have_count(1)
