"""A multi-turn Chinese conversation through the real web endpoint, rasa and action server."""

from __future__ import annotations

import httpx
import pytest

from testkit.chat import button_titles, new_sender, say, texts
from testkit.stack import LiveStack

pytestmark = pytest.mark.e2e


def test_greeting_menu_identity_thanks_goodbye(live_stack: LiveStack) -> None:
    sender = new_sender()
    greeting = say(live_stack, sender, "你好")
    assert "智能助手" in texts(greeting)
    assert button_titles(greeting) == [
        "婚姻登记预约",
        "救助资格预审",
        "找养老",
        "慈善捐赠",
        "转人工",
    ]

    assert "机器人" in texts(say(live_stack, sender, "你是真人还是机器人啊"))
    assert "婚姻登记预约" in button_titles(say(live_stack, sender, "你们都能办啥"))
    assert "不客气" in texts(say(live_stack, sender, "谢谢你"))
    assert "婚姻登记预约" in button_titles(say(live_stack, sender, "是的"))
    assert "感谢您的咨询" in texts(say(live_stack, sender, "好的，拜拜"))


def test_service_area_comes_from_the_back_office(live_stack: LiveStack) -> None:
    body = say(live_stack, new_sender(), "你们服务哪几个区县")
    reply = texts(body)
    assert "13 个区、县" in reply
    for name in ("西湖区", "临平区", "淳安县", "建德市"):
        assert name in reply


def test_traditional_chinese_and_full_width_input_is_understood(live_stack: LiveStack) -> None:
    body = say(live_stack, new_sender(), "你們服務哪幾個區縣？")
    assert "西湖区" in texts(body)


def test_out_of_scope_is_answered_politely_with_the_menu(live_stack: LiveStack) -> None:
    body = say(live_stack, new_sender(), "明天杭州下雨吗")
    assert "超出了我的服务范围" in texts(body)
    assert "婚姻登记预约" in button_titles(body)


def test_second_failure_in_a_row_offers_a_person(live_stack: LiveStack) -> None:
    sender = new_sender()
    first = say(live_stack, sender, "qwxz zzkq 呃呃")
    assert "换个说法" in texts(first)
    second = say(live_stack, sender, "墙上的钉子歪了")
    assert "转人工" in button_titles(second)
    assert "12345" in texts(second)
    # A message that is understood resets the count.
    say(live_stack, sender, "你好")
    assert "换个说法" in texts(say(live_stack, sender, "qwxz zzkq 呃呃"))


def test_restart_starts_over(live_stack: LiveStack) -> None:
    body = say(live_stack, new_sender(), "重新开始")
    assert "重新开始" in texts(body)


@pytest.mark.parametrize("text", ["😀😀😀", "？？？！！", "hello 我想问一下", "好" * 2000])
def test_odd_input_gets_a_sensible_reply(live_stack: LiveStack, text: str) -> None:
    body = say(live_stack, new_sender(), text)
    assert body["messages"], f"no reply to {text[:20]!r}"
    if len(text) > 500:
        assert any("前 500 个字" in notice for notice in body["notices"])


def test_empty_input_is_not_sent_to_rasa(live_stack: LiveStack) -> None:
    body = say(live_stack, new_sender(), "   　 ")
    assert body["messages"] == []
    assert "还没有输入内容" in body["notices"][0]


def test_malformed_and_oversized_json_get_chinese_4xx(live_stack: LiveStack) -> None:
    url = f"{live_stack.web_url}/api/chat"
    bad = httpx.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400
    assert "JSON" in bad.json()["error"]["message"]
    missing = httpx.post(url, json={"message": "你好"})
    assert missing.status_code == 422
    assert "sender" in missing.json()["error"]["message"]
    huge = httpx.post(url, json={"sender": new_sender(), "message": "好" * 100_000})
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "payload_too_large"
