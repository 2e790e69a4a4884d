"""The citizen web chat page in real Chromium, against the gateway double of conftest.py.

The messages: greeting, buttons, the keyboard, safe text, links and images; staff messages
and receipts.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.webchat_support import greeted, send_text, stored_transcript

pytestmark = pytest.mark.browser

SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def test_first_visit_greets_with_a_valid_sender_and_shows_the_menu(open_chat, fake_bot):
    page = open_chat()

    greeted(page)
    expect(page).to_have_title("杭州市民政局 智能助手")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert fake_bot.messages() == ["/greet"]
    assert SENDER_PATTERN.match(fake_bot.received[0]["sender"])
    choices = page.locator(".bubble-bot + .choices .choice")
    expect(choices).to_have_text(["婚姻登记预约", "找养老", "转人工"])
    # The greeting is one message: its line break is kept, not collapsed.
    assert "智能助手。\n请问您想办理" in page.locator(".bubble-bot .text").first.inner_text()


def test_button_sends_payload_shows_title_and_is_used_up(open_chat, fake_bot):
    page = open_chat()
    greeted(page)

    page.get_by_role("button", name="婚姻登记预约").click()

    expect(page.locator(".bubble-user")).to_have_text(["您说：婚姻登记预约"])
    expect(page.locator(".bubble-bot").last).to_contain_text("好的，您选择了婚姻登记预约")
    assert fake_bot.messages()[-1] == '/choose_service{"service":"marriage"}'
    for title in ["婚姻登记预约", "找养老", "转人工"]:
        expect(page.get_by_role("button", name=title)).to_be_disabled()
    expect(page.get_by_role("button", name="婚姻登记预约")).to_have_class(re.compile(r"\bchosen\b"))
    # The displayed title is what the transcript keeps, never the raw payload.
    assert "/choose_service" not in page.locator("#transcript").inner_text()


def test_enter_sends_shift_enter_breaks_line_and_ime_enter_does_not_send(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    box = page.get_by_label("输入您想办理或咨询的事情")

    box.press("Enter")  # empty: nothing is sent
    box.fill("第一行")
    box.press("Shift+Enter")
    box.type("第二行")
    page.evaluate(
        """() => document.getElementById('message-input').dispatchEvent(
             new KeyboardEvent('keydown', {key: 'Enter', isComposing: true, bubbles: true}))"""
    )
    assert fake_bot.messages() == ["/greet"]
    expect(box).to_have_value("第一行\n第二行")

    box.press("Enter")

    expect(page.locator(".bubble-bot").last).to_contain_text("您说的是：第一行\n第二行")
    assert fake_bot.messages() == ["/greet", "第一行\n第二行"]
    expect(box).to_have_value("")


def test_bot_text_is_escaped_and_urls_become_safe_links(open_chat, fake_bot):
    page = open_chat()
    greeted(page)

    send_text(page, "链接")

    bubble = page.locator(".bubble-bot").last
    expect(bubble).to_contain_text("javascript:window.__xss=3 不是链接")
    links = bubble.locator("a")
    expect(links).to_have_count(2)
    hrefs = [links.nth(i).get_attribute("href") for i in range(2)]
    # Chinese punctuation or text right after a URL is not part of the link.
    assert hrefs == [
        "https://www.hangzhou.gov.cn/col/col1229063386/index.html",
        "http://mz.hangzhou.gov.cn",
    ]
    for i in range(2):
        assert links.nth(i).get_attribute("target") == "_blank"
        assert "noopener" in (links.nth(i).get_attribute("rel") or "").split()
    text = bubble.locator(".text").inner_text()
    assert "<b>加粗</b><img src=x onerror=window.__xss=1><script>" in text
    assert "了解。\n<b>" in text  # line breaks kept
    assert bubble.locator("b, img, script").count() == 0
    assert page.evaluate("() => window.__xss") is None


def test_images_render_only_from_web_or_site_urls(open_chat, fake_bot):
    page = open_chat()
    greeted(page)

    send_text(page, "图片")

    image = page.locator(".bubble-bot img")
    expect(image).to_have_count(1)
    assert image.get_attribute("src") == "/fake/pixel.png"
    assert image.get_attribute("alt") == "智能助手发送的图片"
    assert page.evaluate("() => window.__xss") is None


def test_a_newer_question_retires_the_buttons_of_the_earlier_one(open_chat, fake_bot):
    page = open_chat()
    greeted(page)

    send_text(page, "要带什么材料")  # asked instead of choosing from the menu

    expect(page.locator(".bubble-bot").last).to_contain_text("我们接着预约")
    for title in ["婚姻登记预约", "找养老", "转人工"]:  # the menu's buttons no longer work
        expect(page.get_by_role("button", name=title)).to_be_disabled()
        expect(page.get_by_role("button", name=title)).not_to_have_class(re.compile(r"\bchosen\b"))
    expect(page.get_by_role("button", name="明天上午")).to_be_enabled()
    page.reload()  # and stay retired after a reload
    expect(page.get_by_role("button", name="找养老")).to_be_disabled()
    expect(page.get_by_role("button", name="明天上午")).to_be_enabled()


def test_staff_messages_arrive_by_server_sent_events_after_404s(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    page.wait_for_timeout(500)  # the event stream is refused (404) and retried meanwhile

    fake_bot.events_enabled = True
    fake_bot.push({"type": "status", "text": "人工客服已接入，请稍候。"})
    fake_bot.push(
        {
            "text": "您好，我是热线客服。详见 https://mz.hangzhou.gov.cn/",
            "buttons": [{"title": "好的", "payload": "/affirm"}],
            "from": "staff",
            "staff_name": "王小明",
        }
    )

    staff = page.locator(".bubble-staff")
    expect(staff).to_have_count(1, timeout=5000)
    expect(staff.locator(".speaker")).to_have_text("人工客服 · 王小明")
    expect(staff.locator("a")).to_have_attribute("href", "https://mz.hangzhou.gov.cn/")
    expect(page.locator(".notice")).to_have_text(["人工客服已接入，请稍候。"])
    page.get_by_role("button", name="好的").click()
    assert fake_bot.messages()[-1] == "/affirm"
    assert [entry["role"] for entry in stored_transcript(page)][:3] == ["bot", "notice", "staff"]


def test_a_message_to_staff_gets_a_quiet_receipt_not_a_bubble(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    bubbles = page.locator(".bubble-bot").count()

    send_text(page, "给客服：我家的低保卡丢了")

    receipt = page.locator(".row-user").last.locator(".delivery-receipt")
    expect(receipt).to_have_text("已送达人工客服 小王")
    expect(receipt).to_have_attribute("role", "status")
    assert page.locator(".bubble-bot").count() == bubbles  # the assistant did not speak
    assert page.locator(".notice").count() == 0
    page.reload()
    greeted(page)
    expect(page.locator(".row-user").last.locator(".delivery-receipt")).to_have_text(
        "已送达人工客服 小王"
    )
