"""The web chat page against the real stack: greeting, a typed question and a pressed button."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from testkit.stack import LiveStack

pytestmark = pytest.mark.browser


def test_citizen_chats_with_the_real_assistant(browser: Browser, live_stack: LiveStack) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_stack.web_url}/")
        bot = page.locator(".bubble-bot")
        expect(bot.first).to_contain_text("智能助手", timeout=30_000)

        page.get_by_label("输入您想办理或咨询的事情").fill("你們服務哪幾個區縣")
        page.get_by_role("button", name="发送").click()
        expect(bot.last).to_contain_text("西湖区", timeout=30_000)

        page.get_by_role("button", name="转人工").first.click()
        expect(page.locator(".bubble-user").last).to_contain_text("转人工")

        page.reload()
        expect(page.locator(".bubble-bot").nth(1)).to_contain_text("西湖区")
    finally:
        context.close()
    assert errors == []
