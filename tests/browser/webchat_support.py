"""Shared steps of the web chat page tests: waiting for the greeting, sending, the stored copy."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect


def greeted(page: Page) -> None:
    expect(page.locator(".bubble-bot").first).to_contain_text("您好！我是杭州市民政局的智能助手")


def send_text(page: Page, text: str) -> None:
    page.get_by_label("输入您想办理或咨询的事情").fill(text)
    page.get_by_role("button", name="发送").click()


def stored_transcript(page: Page) -> list[dict[str, object]]:
    raw = page.evaluate("() => localStorage.getItem('mzWebchat.transcript')")
    return list(json.loads(raw or "{}").get("entries", []))
