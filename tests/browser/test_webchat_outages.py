"""The web chat in real Chromium while replies are slow or the service is down, and after."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.webchat_support import greeted, send_text

pytestmark = pytest.mark.browser


def test_pending_reply_shows_typing_and_blocks_double_sends(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    box = page.get_by_label("输入您想办理或咨询的事情")
    send = page.get_by_role("button", name="发送")

    send_text(page, "慢")

    expect(page.get_by_role("status")).to_have_text("正在输入…")
    expect(send).to_be_disabled()
    expect(box).not_to_be_editable()
    expect(page.get_by_role("button", name="找养老")).to_be_disabled()
    box.press("Enter")
    send.click(force=True)

    expect(page.locator(".bubble-bot").last).to_contain_text("让您久等了。")
    expect(page.get_by_role("status")).to_be_hidden()
    expect(send).to_be_enabled()
    expect(box).to_be_editable()
    expect(page.get_by_role("button", name="找养老")).to_be_enabled()
    assert fake_bot.messages() == ["/greet", "慢"]


def test_reply_timeout_gives_the_controls_back(open_chat, fake_bot):
    page = open_chat(timings={"replyTimeoutMs": 1000})
    greeted(page)

    send_text(page, "超时")

    expect(page.locator(".notice-error")).to_have_text("暂时没有收到回复，请稍后重新发送。")
    expect(page.get_by_role("button", name="发送")).to_be_enabled()
    expect(page.get_by_role("status")).to_be_hidden()


def test_gateway_notices_are_shown(open_chat, fake_bot):
    page = open_chat()
    greeted(page)

    send_text(page, "长" * 600)

    expect(page.locator(".notice")).to_have_text(["您的消息比较长，我只读取了前 500 个字。"])
    expect(page.locator(".bubble-bot").last).to_have_text("智能助手说：收到。")


def test_503_shows_banner_with_hotline_then_recovers_by_itself(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    fake_bot.available = False
    fake_bot.hotline = "0571-12349"
    banner = page.get_by_role("alert")

    send_text(page, "我想预约结婚登记")

    expect(banner).to_be_visible()
    expect(banner).to_contain_text("服务暂时不可用")
    expect(banner).to_contain_text("正在尝试重新连接")
    hotline = banner.get_by_role("link", name="拨打热线 0571-12349")
    expect(hotline).to_have_attribute("href", "tel:057112349")
    expect(page.locator(".row-user .delivery-failed")).to_have_text("未送达，请稍后重新发送")
    # The citizen's words come back into the box, ready to send again.
    expect(page.get_by_label("输入您想办理或咨询的事情")).to_have_value("我想预约结婚登记")

    fake_bot.available = True

    expect(banner).to_be_hidden(timeout=5000)
    expect(page.locator(".notice").last).to_have_text("服务已恢复，您可以继续提问。")
    page.get_by_role("button", name="发送").click()
    expect(page.locator(".bubble-bot").last).to_contain_text("您说的是：我想预约结婚登记")
    assert fake_bot.messages().count("/greet") == 1


def test_failed_button_press_can_be_pressed_again(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    fake_bot.available = False

    page.get_by_role("button", name="婚姻登记预约").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("button", name="婚姻登记预约")).to_be_enabled()
    fake_bot.available = True
    expect(page.get_by_role("alert")).to_be_hidden(timeout=5000)
    page.get_by_role("button", name="婚姻登记预约").click()
    expect(page.locator(".bubble-bot").last).to_contain_text("您选择了婚姻登记预约")


def test_first_visit_while_down_greets_once_the_service_is_back(open_chat, fake_bot):
    fake_bot.available = False
    page = open_chat()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator(".bubble-bot")).to_have_count(0)

    fake_bot.available = True

    greeted(page)
    expect(page.get_by_role("alert")).to_be_hidden()


def test_network_failure_shows_default_hotline_until_health_answers(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    page.route("**/api/chat**", lambda route: route.abort())

    send_text(page, "你好")

    banner = page.get_by_role("alert")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("link")).to_have_attribute("href", "tel:12345")
    page.wait_for_timeout(1000)  # several health polls fail meanwhile
    expect(banner).to_be_visible()

    page.unroute("**/api/chat**")

    expect(banner).to_be_hidden(timeout=5000)


def test_reopened_page_warns_when_the_service_is_down(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    fake_bot.available = False

    page.reload()

    expect(page.get_by_role("alert")).to_be_visible()
    greeted(page)  # the transcript is still there
    fake_bot.available = True
    expect(page.get_by_role("alert")).to_be_hidden(timeout=5000)


def test_restart_while_down_is_finished_when_the_service_is_back(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    send_text(page, "你好")
    expect(page.locator(".bubble-bot")).to_have_count(2)
    fake_bot.available = False

    page.get_by_role("button", name="重新开始").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator(".bubble-bot, .bubble-user")).to_have_count(0)
    page.reload()  # the unfinished restart is remembered across a reload too
    expect(page.locator(".bubble-bot, .bubble-user")).to_have_count(0)
    fake_bot.available = True

    expect(page.locator(".bubble-bot")).to_have_count(1, timeout=5000)
    greeted(page)
    sent = fake_bot.messages()
    assert sent[-2:] == ["/restart", "/greet"]
    assert sent.count("/greet") == 2
