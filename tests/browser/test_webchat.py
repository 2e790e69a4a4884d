"""The citizen web chat page in real Chromium, against the gateway double of conftest.py."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

CONTRAST_JS = """
(selectors) => {
  const channels = (color) => color.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (node) => {
    for (; node; node = node.parentElement) {
      const c = channels(getComputedStyle(node).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return selectors.map((selector) => {
    const node = document.querySelector(selector);
    const fg = luminance(channels(getComputedStyle(node).color));
    const bg = luminance(background(node));
    return [selector, (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)];
  });
}
"""


def greeted(page: Page) -> None:
    expect(page.locator(".bubble-bot").first).to_contain_text("您好！我是杭州市民政局的智能助手")


def send_text(page: Page, text: str) -> None:
    page.get_by_label("输入您想办理或咨询的事情").fill(text)
    page.get_by_role("button", name="发送").click()


def stored_transcript(page: Page) -> list[dict[str, object]]:
    raw = page.evaluate("() => localStorage.getItem('mzWebchat.transcript')")
    return list(json.loads(raw or "{}").get("entries", []))


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


def test_large_text_mode_enlarges_text_and_is_remembered(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    toggle = page.get_by_role("button", name="大字模式")
    bubble_text = page.locator(".bubble-bot .text").first

    def font_px() -> float:
        return float(bubble_text.evaluate("node => parseFloat(getComputedStyle(node).fontSize)"))

    normal = font_px()
    expect(toggle).to_have_attribute("aria-pressed", "false")

    toggle.click()

    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert font_px() >= normal * 1.2
    page.reload()
    greeted(page)
    expect(page.get_by_role("button", name="大字模式")).to_have_attribute("aria-pressed", "true")
    assert font_px() >= normal * 1.2
    page.get_by_role("button", name="大字模式").click()
    assert font_px() == normal


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_the_whole_placeholder_shows_after_a_reload_in_large_text(open_chat, fake_bot, width):
    page = open_chat(width=width, height=740)
    greeted(page)
    page.get_by_role("button", name="大字模式").click()
    page.reload()
    greeted(page)
    box = page.get_by_label("输入您想办理或咨询的事情")
    expect(box).to_have_value("")
    # Nothing of the placeholder is hidden: the field is as tall as its content.
    hidden = box.evaluate("node => node.scrollHeight - node.clientHeight")
    assert hidden <= 1, f"{hidden}px of the placeholder cut off at {width}px"


def test_large_text_enlarges_the_header_buttons_on_a_desktop(open_chat, fake_bot):
    page = open_chat(width=1280, height=800)
    greeted(page)
    toggle = page.get_by_role("button", name="大字模式")
    restart = page.get_by_role("button", name="重新开始")

    def size(locator) -> tuple[float, float]:
        box = locator.bounding_box()
        assert box is not None
        font = float(locator.evaluate("node => parseFloat(getComputedStyle(node).fontSize)"))
        return font, box["height"]

    normal_font, normal_height = size(restart)
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    for button in (toggle, restart):
        font, height = size(button)
        assert font >= normal_font * 1.2 and height >= normal_height * 1.2, (font, height)
    page.reload()
    greeted(page)
    assert size(restart)[0] >= normal_font * 1.2


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


def test_controls_have_names_live_region_and_readable_contrast(open_chat, fake_bot):
    page = open_chat()
    greeted(page)
    send_text(page, "你好")
    expect(page.locator(".bubble-bot")).to_have_count(2)

    log = page.get_by_role("log", name="对话记录")
    expect(log).to_have_attribute("aria-live", "polite")
    for name in ["大字模式", "重新开始", "发送"]:
        expect(page.get_by_role("button", name=name)).to_be_visible()
    expect(page.get_by_role("textbox", name="输入您想办理或咨询的事情")).to_be_visible()
    ratios = page.evaluate(
        CONTRAST_JS,
        [".brand-name", ".tool", ".bubble-bot .text", ".bubble-user .text", ".choice", ".send"],
    )
    low = [(selector, round(ratio, 2)) for selector, ratio in ratios if ratio < 4.5]
    assert low == []


@pytest.mark.parametrize("width", [360, 390])
def test_phone_layout_fits_and_tap_targets_are_large(open_chat, fake_bot, width):
    page = open_chat(width=width, height=740)
    greeted(page)
    page.get_by_role("button", name="大字模式").click()  # the tightest layout

    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    for locator in [
        page.get_by_role("button", name="大字模式"),
        page.get_by_role("button", name="重新开始"),
        page.get_by_role("button", name="发送"),
        page.get_by_label("输入您想办理或咨询的事情"),
        *page.locator(".choice").all(),
    ]:
        box = locator.bounding_box()
        assert box is not None
        assert box["height"] >= 44 and box["width"] >= 44, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box


@pytest.mark.parametrize(
    ("name", "width", "height", "large_text"),
    [
        ("webchat-phone", 390, 844, False),
        ("webchat-desktop", 1280, 800, False),
        ("webchat-phone-large-text", 360, 740, True),
    ],
)
def test_screenshots(open_chat, fake_bot, screenshot_dir, name, width, height, large_text):
    page = open_chat(width=width, height=height)
    greeted(page)
    if large_text:
        page.get_by_role("button", name="大字模式").click()
    page.get_by_role("button", name="婚姻登记预约").click()
    expect(page.locator(".bubble-bot")).to_have_count(2)
    send_text(page, "链接")
    expect(page.locator(".bubble-bot")).to_have_count(3)
    fake_bot.available = False
    send_text(page, "下周三上午可以吗")
    expect(page.get_by_role("alert")).to_be_visible()
    # The newest message stays in view when the banner pushes the conversation down.
    expect(page.locator(".delivery-failed")).to_be_in_viewport()
    path = screenshot_dir / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    fake_bot.available = True
    expect(page.get_by_role("alert")).to_be_hidden(timeout=5000)
