"""The connector against a fake Telegram Bot API over real HTTP, with a fake router."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI

from connectors.router import RouterReply
from connectors.telegram.callbacks import KEY_PREFIX
from connectors.telegram.relay import DeskMessage
from connectors.telegram.rendering import split_text
from connectors.telegram.texts import command_descriptions, telegram_text
from connectors.telegram.webhook import router as webhook_router
from core.chat import BotMessage
from core.messages import message
from tests.connectors.telegram.conftest import CHAT, Harness, menu_reply, start_harness
from tests.connectors.telegram.fake_telegram import FakeTelegram


async def test_text_goes_through_the_router_and_buttons_become_an_inline_keyboard(
    harness: Harness,
) -> None:
    harness.router.replies.append(menu_reply())
    harness.fake.push_text(CHAT, "  你好  ")
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 1)

    assert harness.router.calls == [
        {"channel": "tg", "sender": str(CHAT), "text": "  你好  ", "metadata": None}
    ]
    sent = harness.fake.sent_to(CHAT)[0]
    assert sent.parse_mode == "HTML"
    assert sent.visible_text == "您好，我是民政智能助手。请问您要办理什么？"
    titles = [title for title, _ in sent.buttons]
    assert titles == ["婚姻登记预约", "找养老"]
    short, long = (data for _, data in sent.buttons)
    assert short == "/request_marriage_booking"
    assert long.startswith(KEY_PREFIX) and len(long.encode()) <= 64
    assert harness.payloads.saved[long].startswith("/request_eldercare{")


async def test_pressed_button_sends_its_payload_and_removes_the_keyboard(harness: Harness) -> None:
    harness.router.replies.append(menu_reply())
    harness.fake.push_text(CHAT, "你好")
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 1)
    menu = harness.fake.sent_to(CHAT)[0]
    long_key = menu.buttons[1][1]

    harness.fake.push_callback(menu, long_key)
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 2)

    assert harness.router.calls[-1]["text"] == (
        '/request_eldercare{"district": "西湖区", "need": "全护理", "budget": 5000}'
    )
    answers = harness.fake.calls_of("answerCallbackQuery")
    assert answers and answers[-1]["text"] == telegram_text("button_chosen", title="找养老")
    edits = harness.fake.calls_of("editMessageReplyMarkup")
    assert edits and int(edits[-1]["message_id"]) == menu.message_id
    assert menu.reply_markup is None  # the fake applied the edit: keyboard gone


async def test_expired_button_key_is_answered_and_not_routed(harness: Harness) -> None:
    harness.router.replies.append(menu_reply())
    harness.fake.push_text(CHAT, "你好")
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 1)
    menu = harness.fake.sent_to(CHAT)[0]
    harness.fake.push_callback(menu, KEY_PREFIX + "unknownkey")
    await harness.fake.await_for(lambda: bool(harness.fake.calls_of("answerCallbackQuery")))

    assert harness.fake.calls_of("answerCallbackQuery")[-1]["text"] == telegram_text(
        "button_expired"
    )
    assert len(harness.router.calls) == 1


@pytest.mark.parametrize(
    ("command", "payload"),
    [
        ("/start", "/greet"),
        ("/help", "/request_menu"),
        ("/restart", "/restart"),
        ("/human", "/request_human"),
        ("/start@minzheng_test_bot", "/greet"),
    ],
)
async def test_commands_send_their_intents(harness: Harness, command: str, payload: str) -> None:
    harness.fake.push_text(CHAT, command)
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 1)
    assert harness.router.calls[0]["text"] == payload


async def test_unknown_command_is_explained_not_passed_to_the_assistant(harness: Harness) -> None:
    harness.fake.push_text(CHAT, '/share_location{"lat": 1, "lon": 2}')
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 1)
    assert harness.router.calls == []
    assert harness.fake.sent_to(CHAT)[0].visible_text == telegram_text("unknown_command")


async def test_command_menu_is_set_with_chinese_descriptions(harness: Harness) -> None:
    assert harness.fake.commands == [
        {"command": name, "description": text} for name, text in command_descriptions().items()
    ]
    assert {c["command"] for c in harness.fake.commands} == {"start", "help", "restart", "human"}


async def test_shared_location_becomes_the_eldercare_payload_and_metadata(
    harness: Harness,
) -> None:
    harness.fake.push_location(CHAT, 30.274085, 120.155070)
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 1)
    call = harness.router.calls[0]
    assert call["text"].startswith("/share_location{")
    assert json.loads(call["text"].removeprefix("/share_location")) == {
        "lat": 30.274085,
        "lon": 120.15507,
    }
    assert call["metadata"] == {"location": {"lat": 30.274085, "lon": 120.15507}}


@pytest.mark.parametrize("kind", ["photo", "voice", "sticker", "document", "video"])
async def test_media_gets_a_polite_reply_saying_what_works(harness: Harness, kind: str) -> None:
    harness.fake.push_media(CHAT, kind)
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 1)
    assert harness.router.calls == []
    text = harness.fake.sent_to(CHAT)[0].visible_text
    assert text == telegram_text("unsupported_media")
    assert "文字" in text and "位置" in text


async def test_long_reply_is_split_on_lines_escaped_and_links_stay_links(
    harness: Harness,
) -> None:
    lines = [f"第{n}行：<条件> & 金额≥3000元 {'说明' * 40}" for n in range(120)]
    lines[50] = "详见 https://mz.hangzhou.gov.cn/art/2026/1/1/a_b.html?x=1&y=2。"
    text = "\n".join(lines)
    assert len(text) > 4096 * 2
    harness.router.replies.append(RouterReply(messages=[BotMessage(text=text)]))
    harness.fake.push_text(CHAT, "低保条件")
    expected = len(split_text(text))
    assert expected >= 3
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == expected)

    sent = harness.fake.sent_to(CHAT)
    assert all(len(m.visible_text) <= 4096 for m in sent)
    assert "\n".join(m.visible_text for m in sent) == text  # cut only between lines
    assert "<条件> & 金额" in sent[0].visible_text  # escaped, shown as typed
    links = [link for m in sent for link in m.links]
    assert links == ["https://mz.hangzhou.gov.cn/art/2026/1/1/a_b.html?x=1&y=2"]


async def test_notices_are_shown_before_the_messages(harness: Harness) -> None:
    harness.router.replies.append(
        RouterReply(messages=[BotMessage(text="回答")], notices=["您的消息比较长"])
    )
    harness.fake.push_text(CHAT, "很长的问题")
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 2)
    assert [m.visible_text for m in harness.fake.sent_to(CHAT)] == ["您的消息比较长", "回答"]


async def test_assistant_down_gives_the_gateway_service_unavailable_message(
    harness: Harness,
) -> None:
    harness.router.down = True
    harness.fake.push_text(CHAT, "你好")
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 1)
    assert harness.fake.sent_to(CHAT)[0].visible_text == message("service_unavailable")


async def test_flood_is_rate_limited_per_chat_with_one_polite_notice(fake: FakeTelegram) -> None:
    running = await start_harness(
        fake, telegram_rate_limit_burst=3, telegram_rate_limit_per_minute=0.001
    )
    try:
        for n in range(7):
            fake.push_text(CHAT, f"消息{n}")
        fake.push_text(CHAT + 1, "另一位市民")
        await fake.await_for(
            lambda: len(fake.sent_to(CHAT)) == 4 and len(fake.sent_to(CHAT + 1)) == 1
        )
        await fake.await_for(lambda: not fake.updates, timeout=5)
        texts = [m.visible_text for m in fake.sent_to(CHAT)]
        assert texts.count(telegram_text("rate_limited")) == 1
        assert len([c for c in running.router.calls if c["sender"] == str(CHAT)]) == 3
        assert {c["sender"] for c in running.router.calls} == {str(CHAT), str(CHAT + 1)}
    finally:
        await running.runtime.stop()


async def test_network_errors_are_retried_with_exponential_backoff(harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", 500, "timeout", 502)
    harness.fake.push_text(CHAT, "你好")
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 1, timeout=15)
    assert harness.fake.sent_to(CHAT)[0].visible_text == "收到：你好"
    assert harness.sleeps == [0.01, 0.02, 0.04]
    assert len(harness.fake.calls_of("sendMessage")) == 4
    assert harness.failures.failures == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_waits_retry_after(harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", 429)
    harness.fake.push_text(CHAT, "你好")
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 1)
    assert harness.sleeps == [1.0]


async def test_a_message_that_still_fails_is_recorded_not_dropped(harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", 500, 500, 500, 500)
    harness.fake.push_text(CHAT, "你好")
    await harness.fake.await_for(lambda: bool(harness.failures.failures), timeout=15)
    failure = harness.failures.failures[0]
    assert failure.chat_id == str(CHAT) and failure.attempts == 4
    assert failure.text == "收到：你好" and "Internal Server Error" in failure.error
    assert harness.fake.sent_to(CHAT) == []


async def test_refused_message_is_recorded_at_once(harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", 403)
    harness.fake.push_text(CHAT, "你好")
    await harness.fake.await_for(lambda: bool(harness.failures.failures))
    assert harness.failures.failures[0].attempts == 1
    assert harness.sleeps == []


async def test_desk_messages_are_relayed_once_with_the_staff_name(harness: Harness) -> None:
    harness.outbox.messages += [
        DeskMessage(id=1, chat_id=str(CHAT), kind="status", text="人工客服 小王 已接入"),
        DeskMessage(id=2, chat_id=str(CHAT), kind="staff", text="您好<请讲>", staff_name="小王"),
        DeskMessage(
            id=3, chat_id=str(CHAT), kind="bot", text="还需要什么帮助？",
            buttons=[{"title": "服务菜单", "payload": "/request_menu"}],
        ),
    ]  # fmt: skip
    harness.runtime.relay.wake()
    await harness.fake.await_for(lambda: len(harness.fake.sent_to(CHAT)) == 3)
    sent = harness.fake.sent_to(CHAT)
    assert sent[1].visible_text == "人工客服 小王：您好<请讲>"
    assert sent[2].buttons == [("服务菜单", "/request_menu")]
    # Each delivery is marked after its send: wait for the last mark, not only the last send.
    await harness.fake.await_for(lambda: len(harness.outbox.outcomes) == 3)
    assert harness.outbox.outcomes == {1: True, 2: True, 3: True}
    assert await harness.runtime.relay.relay_once() == 0  # nothing twice


async def test_webhook_checks_the_secret_token_and_handles_the_update(
    fake: FakeTelegram,
) -> None:
    running = await start_harness(fake, polling=False)
    app = FastAPI()
    app.include_router(webhook_router)
    app.state.telegram_runtime = running.runtime
    app.state.telegram_webhook_secret = "s3cret-token_ok"
    update = fake.make_text_update(CHAT, "你好")
    update["update_id"] = 77
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://web") as client:
            url = "/telegram/webhook"
            missing = await client.post(url, json=update)
            wrong = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
            )
            right = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_ok"}
            )
        assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
        await fake.await_for(lambda: len(fake.sent_to(CHAT)) == 1)
        assert running.router.calls == [
            {"channel": "tg", "sender": str(CHAT), "text": "你好", "metadata": None}
        ]
    finally:
        await running.runtime.stop()
