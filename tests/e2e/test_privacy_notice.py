"""The privacy notice in real conversations (issue 20, item 7): just before the first ID number,
once per conversation, with the full page's address written out, and the citizen may decline.

Through the web endpoint, Rasa, the action server and the back office of the live stack.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from backoffice.records.marriage.bookable import bookable_days
from backoffice.records.marriage.policy import get_policy
from core.privacy import load_privacy
from core.settings import get_settings
from testkit.chat import new_sender, say, texts, tracker_rows
from testkit.stack import LiveStack
from zhtext.city_time import city_today

pytestmark = pytest.mark.e2e

NOTICE = "【个人信息说明】"


def lines(body: dict[str, Any]) -> list[str]:
    """The texts of one answer, one message each."""
    return [m.get("text") or "" for m in body["messages"]]


def index_of(body: dict[str, Any], fragment: str) -> int:
    found = [i for i, line in enumerate(lines(body)) if fragment in line]
    assert found, f"{fragment!r} not in {lines(body)}"
    return found[0]


def assert_no_notice(body: dict[str, Any]) -> None:
    assert NOTICE not in texts(body), texts(body)


def test_the_marriage_booking_tells_it_just_before_the_first_id_and_once(
    live_stack: LiveStack,
) -> None:
    sender = new_sender()
    day: dt.date = bookable_days(today=city_today(), window=get_policy().booking_window)[1].day
    for message in ("我想预约结婚登记", "西湖区", f"{day.month}月{day.day}号上午"):
        assert_no_notice(say(live_stack, sender, message))

    reply = say(live_stack, sender, "张伟")
    notice = index_of(reply, NOTICE)
    assert notice < index_of(reply, "请输入您本人的18位身份证号码"), lines(reply)
    text = lines(reply)[notice]
    marriage = load_privacy(retention_days=get_settings().retention_days).services["marriage"]
    assert marriage.why in text and marriage.who in text and "算了" in text
    link = f"{live_stack.web_url}/privacy"
    assert link in text, "the full page's address is written out (Telegram, WeChat)"
    page = httpx.get(link, timeout=10)
    assert page.status_code == 200 and marriage.why in page.text

    for message in ("330106199506054016", "李娜", "330102199311020742", "13812345678"):
        assert_no_notice(say(live_stack, sender, message))
    stored = tracker_rows(live_stack, sender)
    assert sum('"privacy_notice": "marriage"' in row for row in stored) == 1


def test_the_application_status_tells_it_before_the_id_and_the_citizen_may_decline(
    live_stack: LiveStack,
) -> None:
    sender = new_sender()
    reply = say(live_stack, sender, "查一下我的低保申请进度")
    notice = index_of(reply, NOTICE)
    assert notice < index_of(reply, "请输入申请人的 18 位身份证号码"), lines(reply)
    status = load_privacy(retention_days=get_settings().retention_days).services["prescreen_status"]
    assert status.decline in lines(reply)[notice]

    declined = say(live_stack, sender, "算了")
    assert_no_notice(declined)
    assert "身份证" not in texts(declined), "declining stops the questions"
