"""Real citizens' sentences (issue 18) through the gateway: no form opens without evidence."""

from __future__ import annotations

import httpx
import pytest

from connectors.webchat.routes import CHANNEL
from core.chat import conversation_id
from testkit.chat import new_sender, say, texts
from testkit.stack import LiveStack

pytestmark = pytest.mark.e2e

FORMS = ("marriage_form", "marriage_lookup_form", "eldercare_search_form", "donation_form")


def actions_run(stack: LiveStack, sender: str) -> list[str]:
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id(CHANNEL, sender)}/tracker",
        params={"token": stack.production_secrets["RASA_TOKEN"]},
        timeout=30,
    ).json()
    return [str(e.get("name")) for e in tracker["events"] if e.get("event") == "action"]


@pytest.mark.parametrize(
    "message",
    ["结婚了吗", "提醒我明天约老同学", "查询一下明天广州到武汉的航班", "搜索中国共产党章程"],
)
def test_off_topic_opens_no_form(live_stack: LiveStack, message: str) -> None:
    sender = new_sender()
    reply = texts(say(live_stack, sender, message))
    ran = actions_run(live_stack, sender)
    assert not any(form in ran for form in FORMS), (message, ran, reply)
    assert "服务范围" in reply or "没太明白" in reply, reply


@pytest.mark.parametrize(
    ("message", "topic_word"),
    [
        ("现役军人怎么办理结婚登记", "军人"),
        ("低保每个月几号发", "低保"),
    ],
)
def test_clear_questions_are_answered_not_misunderstood(
    live_stack: LiveStack, message: str, topic_word: str
) -> None:
    sender = new_sender()
    reply = texts(say(live_stack, sender, message))
    assert "没太明白" not in reply
    assert "marriage_form" not in actions_run(live_stack, sender)
    assert topic_word in reply or "您想了解的是" in reply, reply


def test_a_topical_question_never_gets_not_understood(live_stack: LiveStack) -> None:
    # Answered, a menu of articles, or "no verified answer yet" with the office and 12345.
    reply = texts(say(live_stack, new_sender(), "骨灰能不能撒在自家院子里的树下"))
    assert "没太明白" not in reply and "服务范围" not in reply, reply


def test_pledges_in_citizens_words_start_the_donation(live_stack: LiveStack) -> None:
    sender = new_sender()
    say(live_stack, sender, "我要捐三百块钱")
    assert "donation_form" in actions_run(live_stack, sender)


@pytest.mark.parametrize(
    "message", ["想给敬老院的老人们捐点生活用品", "我们想给福利院的孩子们捐一些冬衣和文具"]
)
def test_goods_are_a_goods_donation_not_a_pledge_or_a_search(
    live_stack: LiveStack, message: str
) -> None:
    sender = new_sender()
    say(live_stack, sender, message)
    ran = actions_run(live_stack, sender)
    assert "action_show_goods_donation" in ran, ran
    assert "eldercare_search_form" not in ran and "donation_form" not in ran, ran


def test_marriage_words_in_another_question_open_no_booking(live_stack: LiveStack) -> None:
    sender = new_sender()
    reply = texts(say(live_stack, sender, "我俩结婚十年了一直没孩子，打算领养一个，要去哪里办"))
    assert "marriage_form" not in actions_run(live_stack, sender), reply
    assert "没太明白" not in reply, reply


@pytest.mark.parametrize("message", ["买彩票中了奖去哪里领", "门牌号码是谁编的"])
def test_questions_on_smaller_topics_are_answered_or_referred(
    live_stack: LiveStack, message: str
) -> None:
    reply = texts(say(live_stack, new_sender(), message))
    assert "没太明白" not in reply and "服务范围" not in reply, reply
