"""The web chat's layout in real Chromium: large text, names and contrast, phones, screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.webchat_support import greeted, send_text

pytestmark = pytest.mark.browser


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
