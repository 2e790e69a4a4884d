"""The conversation runner without a live stack: checks, diffs, reports, and the gateway client."""

from __future__ import annotations

import httpx
import pytest

from testkit.conversations import ConversationRunner
from testkit.gateway_chat import BotReply, ChatError, GatewayChatClient
from testkit.reply_checks import check_reply
from testkit.script_format import Expect
from tests.testkit.runner_support import MENU, SATURDAY, FakeChat, parse, run


def test_check_reply_lists_every_mismatch() -> None:
    expect = Expect(
        contains=["智能助手", "真人客服"],
        not_contains=["您好"],
        buttons=["转人工", "立即转接"],
        not_buttons=["婚姻登记预约"],
        matches=[r"HY-\d{8}"],
        notices=["前 500 个字"],
    )
    problems = check_reply(expect, MENU)
    assert problems == [
        "reply should contain '真人客服'",
        "reply must not contain '您好'",
        "reply should match the pattern 'HY-\\\\d{8}'",
        "button '立即转接' should be offered",
        "button '婚姻登记预约' must not be offered",
        "a notice should contain '前 500 个字'",
    ]
    assert check_reply(Expect(contains=["智能助手"], buttons=["转人工"]), MENU) == []


def test_buttons_exactly_checks_order_and_completeness() -> None:
    assert check_reply(Expect(buttons_exactly=["婚姻登记预约", "转人工"]), MENU) == []
    assert check_reply(Expect(buttons_exactly=["转人工", "婚姻登记预约"]), MENU)
    assert check_reply(Expect(buttons_exactly=[]), MENU)


def test_missing_fragment_shows_the_closest_text() -> None:
    reply = BotReply(texts=("我们为杭州市 13 个区、县（市）的市民提供服务",))
    [problem] = check_reply(Expect(contains=["13个区、县"]), reply)
    assert "closest in the reply: '13 个区、县" in problem


def test_failure_report_shows_turn_user_expected_actual_and_transcript() -> None:
    identity = BotReply(texts=("是的，我是智能助手（机器人），不是真人。",))
    result, chat = run(
        """
        title: 身份
        turns:
          - user: 你好
            expect: 智能助手
          - user: 你是真人吗
            expect:
              contains: [我是真人客服]
              buttons: [立即转接]
          - user: 不会发送
        """,
        {"你好": MENU, "你是真人吗": identity},
    )
    assert not result.passed
    assert [message for _, message in chat.sent] == ["你好", "你是真人吗"]  # stopped at turn 2
    report = result.report()
    assert "conversation FAILED: case.yml — 身份" in report
    assert "✗ turn 2 of 3 (line 6)" in report
    assert "user: 你是真人吗" in report
    assert "reply should contain '我是真人客服'" in report
    assert "button '立即转接' should be offered" in report
    assert "contains: ['我是真人客服']" in report  # expected
    assert "text:    是的，我是智能助手（机器人），不是真人。" in report  # actual
    assert "buttons: (none)" in report
    assert "✓ 1. user: 你好" in report and "[婚姻登记预约] [转人工]" in report
    assert "不会发送" not in report


def test_a_passing_run_has_a_short_report() -> None:
    result, _ = run("title: ok\nturns:\n  - user: 你好\n    expect: 智能助手\n", {"你好": MENU})
    assert result.passed
    assert result.report().startswith("conversation passed")


def test_click_sends_the_payload_of_the_button_with_that_title() -> None:
    booking = BotReply(texts=("请问您要办理哪一项？",))
    result, chat = run(
        "title: t\nturns:\n  - user: 你好\n  - click: 婚姻登记预约\n    expect: 哪一项\n",
        {"你好": MENU, "/request_marriage_booking": booking},
    )
    assert result.passed, result.report()
    assert chat.sent[1][1] == "/request_marriage_booking"
    assert result.turns[1].said == "[click] 婚姻登记预约"


def test_click_on_a_button_that_was_not_offered_fails_clearly() -> None:
    result, chat = run("title: t\nturns:\n  - user: 你好\n  - click: 找养老\n", {"你好": MENU})
    assert not result.passed
    assert len(chat.sent) == 1
    assert "cannot click '找养老': the previous reply offered [婚姻登记预约] [转人工]" in (
        result.report()
    )


def test_gateway_errors_fail_the_turn() -> None:
    result, _ = run("title: t\nturns:\n  - user: 你好\n", {})
    assert not result.passed
    assert "the gateway gave no reply: 503" in result.report()


def test_one_sender_per_run_and_placeholders_in_messages() -> None:
    chat = FakeChat({"2026-11-30 web-conv-x-1": BotReply(texts=("12月2日 周三",))})
    runner = ConversationRunner(chat=chat, database_url=None, today=SATURDAY)
    loaded = parse(
        """
        title: t
        vars:
          day: '{next_week_wed}'
        turns:
          - user: '{next_working_day} {conversation_id}'
            expect:
              contains: ['{day:md} {day:weekday}']
              matches: ['^{day:md}']
        """
    )
    result = runner.run(loaded, sender="conv-x-1")
    assert result.passed, result.report()
    assert chat.sent == [("conv-x-1", "2026-11-30 web-conv-x-1")]


def test_gateway_client_reads_messages_buttons_and_notices() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/chat"
        return httpx.Response(
            200,
            json={
                "messages": [
                    {"text": "第一句", "buttons": []},
                    {
                        "text": "第二句",
                        "buttons": [{"title": "转人工", "payload": "/request_human"}],
                    },
                    {"image": "x.png"},
                ],
                "notices": ["只读取了前 500 个字"],
            },
        )

    client = GatewayChatClient("http://web", transport=httpx.MockTransport(handler))
    reply = client.send("conv-abcdefgh", "你好")
    assert reply.text == "第一句\n第二句"
    assert reply.button_titles == ["转人工"]
    assert reply.notices == ("只读取了前 500 个字",)


def test_gateway_client_turns_errors_into_chat_errors() -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(503, json={"error": {}}))
    client = GatewayChatClient("http://web", transport=transport)
    with pytest.raises(ChatError, match="503"):
        client.send("conv-abcdefgh", "你好")
