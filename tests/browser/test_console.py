"""The staff console in real Chromium against the real stack, next to a citizen's chat page.

Staff log in, see the citizen appear in the queue without reloading, claim, read the citizen's
messages live, reply (the citizen sees it at once) and hand back (the bot greets again).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from testkit.stack import LiveStack

pytestmark = pytest.mark.browser

LIVE = 30_000


@pytest.fixture
def contexts(
    browser: Browser, live_stack: LiveStack
) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    staff = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_stack.web_url
    )
    citizen = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_stack.web_url
    )
    yield staff, citizen
    staff.request.post("/api/handoff/duty", data={"on": False})
    staff.close()
    citizen.close()


def log_in(page: Page) -> None:
    page.goto("/console")
    expect(page).to_have_url(re.compile(r".*/console/login$"))
    page.get_by_label("用户名").fill("agent1")
    page.get_by_label("密码").fill("dev-agent1-pass")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="排队中的市民")).to_be_visible()


def test_staff_claims_replies_and_hands_back_live(
    contexts: tuple[BrowserContext, BrowserContext],
) -> None:
    staff_context, citizen_context = contexts
    errors: list[str] = []
    console = staff_context.new_page()
    console.on("pageerror", lambda error: errors.append(f"console: {error}"))
    chat = citizen_context.new_page()
    chat.on("pageerror", lambda error: errors.append(f"chat: {error}"))

    page_login_redirect = console.goto("/console/supervisor")
    assert page_login_redirect is not None and page_login_redirect.url.endswith("/console/login")
    log_in(console)
    expect(console.locator("#queue-live")).to_be_visible(timeout=LIVE)
    duty = console.locator("#duty-toggle")
    if duty.text_content() == "开启非工作时间值守":
        duty.click()
    expect(duty).to_have_text("结束值守")

    chat.goto("/")
    expect(chat.locator(".bubble-bot").first).to_contain_text("智能助手", timeout=LIVE)
    chat.get_by_label("输入您想办理或咨询的事情").fill("我要找人工")
    chat.get_by_role("button", name="发送").click()
    expect(chat.locator(".bubble-bot").last).to_contain_text("排在第", timeout=LIVE)
    sender = chat.evaluate("window.localStorage.getItem('mzWebchat.sender')")

    tickets = staff_context.request.get("/api/handoff/queue").json()["tickets"]
    ticket_id = next(t["id"] for t in tickets if t["conversation_id"] == f"web-{sender}")
    row = console.locator(f"tr[data-ticket-id='{ticket_id}']")
    expect(row).to_be_visible(timeout=LIVE)  # arrived through the live queue, no reload
    expect(row).to_contain_text("市民要求转人工")
    expect(row).to_contain_text("未选择业务")
    # Asked for a person first thing: what the citizen writes while waiting completes the case.
    chat.get_by_label("输入您想办理或咨询的事情").fill("我想问问我妈妈的低保")
    chat.get_by_role("button", name="发送").click()
    expect(row).to_contain_text("救助资格预审", timeout=LIVE)
    row.get_by_role("button", name="接入").click()

    expect(console.locator("#ticket-title")).to_contain_text(f"#{ticket_id}")
    expect(console.locator("#transcript")).to_contain_text("我要找人工")
    summary = console.locator("#summary")
    expect(summary).to_contain_text("渠道网页")
    expect(summary).to_contain_text("市民先说的话我想问问我妈妈的低保")
    expect(summary).to_contain_text("救助资格预审（根据市民的话推测）")
    expect(chat.locator(".row-notice").last).to_contain_text("小王", timeout=LIVE)

    chat.get_by_label("输入您想办理或咨询的事情").fill("请问低保怎么申请？")
    chat.get_by_role("button", name="发送").click()
    expect(console.locator("#transcript .msg-citizen").last).to_contain_text(
        "低保怎么申请", timeout=LIVE
    )

    console.get_by_label("回复市民").fill("您好，我是小王。低保可以先在线预审。")
    console.get_by_role("button", name="发送").click()
    staff_bubble = chat.locator(".bubble-staff").last
    expect(staff_bubble).to_contain_text("低保可以先在线预审", timeout=LIVE)
    expect(staff_bubble).to_contain_text("人工客服 · 小王")

    console.get_by_label("内部备注（市民看不到）").fill("市民住西湖区")
    console.get_by_role("button", name="保存备注").click()
    expect(console.locator("#transcript .msg-note").last).to_contain_text("市民住西湖区")

    console.get_by_label("智能助手从这里继续").select_option("request_menu")
    console.get_by_role("button", name="交回智能助手").click()
    expect(console.locator("#ticket-title")).to_contain_text("已交回智能助手", timeout=LIVE)
    expect(chat.locator(".bubble-bot").last).to_contain_text(
        "我可以帮您办理下面这些服务", timeout=LIVE
    )
    expect(row).to_have_count(0, timeout=LIVE)
    assert "市民住西湖区" not in chat.locator("#transcript").inner_text()

    chat.get_by_label("输入您想办理或咨询的事情").fill("你好")
    chat.get_by_role("button", name="发送").click()
    expect(chat.locator(".bubble-bot").last).to_contain_text("智能助手", timeout=LIVE)
    assert errors == []
