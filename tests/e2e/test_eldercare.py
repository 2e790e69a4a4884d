"""找养老 end to end: free text, only missing questions, results, relaxing, a visit booked."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from testkit.chat import buttons, click, new_sender, rows, say, texts
from testkit.stack import LiveStack
from zhtext.city_time import city_today

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"YL-\d{8}-\d{4}")


def test_daughter_finds_dementia_care_in_xihu_and_books_a_visit(live_stack: LiveStack) -> None:
    sender = new_sender("e2e-elder")
    found = say(live_stack, sender, "我妈八十多了，有点糊涂，想找西湖区的，每月五千以内")
    reply = texts(found)
    # nothing was asked: all three conditions came from the one sentence
    assert "西湖区，认知症照护，每月 5000 元以内，有空位" in reply, reply
    assert "示例" in reply
    assert "1. " in reply and "空床" in reply and "电话：" in reply and "距西湖区中心约" in reply
    assert {"看第1家详情", "预约参观第1家", "换一批"} <= set(buttons(found))

    more = click(live_stack, sender, found, "换一批")
    assert "4. " in texts(more)

    details = click(live_stack, sender, more, "看第4家详情")
    assert "家庭养老床位" in texts(details)
    assert "预约参观第4家" not in buttons(more)  # a home-care provider takes no visits

    start = click(live_stack, sender, more, "预约参观第5家")
    assert "您想哪天去" in texts(start)
    asked_name = say(live_stack, sender, "明天上午")
    assert "怎么称呼" in texts(asked_name)
    asked_phone = say(live_stack, sender, "张丽")
    assert "手机号" in texts(asked_phone)
    confirm = say(live_stack, sender, "13812345678")
    tomorrow = city_today() + dt.timedelta(days=1)
    assert f"{tomorrow.month}月{tomorrow.day}日" in texts(confirm)
    assert "138****5678" in texts(confirm)
    booked = click(live_stack, sender, confirm, "确认预约")
    reference = REFERENCE.search(texts(booked))
    assert reference is not None, texts(booked)

    [visit] = rows(
        live_stack,
        "SELECT reference, visit_date, half_day, visitor_name, phone, status, conversation_id "
        "FROM eldercare_visits WHERE reference = :reference",
        reference=reference.group(0),
    )
    assert str(visit["visit_date"]) == tomorrow.isoformat()
    assert (visit["half_day"], visit["visitor_name"], visit["phone"], visit["status"]) == (
        "am",
        "张丽",
        "13812345678",
        "booked",
    )
    assert visit["conversation_id"].endswith(sender)


def test_questions_only_for_what_is_missing_then_cancel(live_stack: LiveStack) -> None:
    sender = new_sender("e2e-elder")
    asked_area = say(live_stack, sender, "帮我找个养老院")
    assert "在哪里找" in texts(asked_area)
    assert "西湖区" in buttons(asked_area)
    asked_need = say(live_stack, sender, "文三路附近")
    assert "哪方面的照护" in texts(asked_need)
    asked_budget = click(live_stack, sender, asked_need, "失能（生活不能自理）")
    assert "每月费用" in texts(asked_budget)
    found = say(live_stack, sender, "八千以内")
    # "养老院" limits the search to care homes
    assert "文三路附近，养老机构，失能照护，每月 8000 元以内" in texts(found)
    assert "元起，最高" in texts(found)  # the budget compared the lowest price: said plainly
    assert "距文三路约" in texts(found)

    start = click(live_stack, sender, found, "预约参观第1家")
    assert "您想哪天去" in texts(start)
    day = city_today() + dt.timedelta(days=5)
    asked_half = say(live_stack, sender, f"{day.month}月{day.day}号")
    assert "上午还是下午" in texts(asked_half)
    asked_name = click(live_stack, sender, asked_half, "下午（14:00–16:30）")
    say(live_stack, sender, "我叫王建国")
    confirm = say(live_stack, sender, "139 0000 1234")
    booked = click(live_stack, sender, confirm, "确认预约")
    reference = REFERENCE.search(texts(booked))
    assert reference is not None, texts(booked)
    assert "怎么称呼" in texts(asked_name)

    asked = click(live_stack, sender, booked, "取消这个预约")
    assert "确定要取消" in texts(asked), texts(asked)
    assert {"确定取消", "不取消"} <= set(buttons(asked))
    [still] = rows(
        live_stack,
        "SELECT status FROM eldercare_visits WHERE reference = :reference",
        reference=reference.group(0),
    )
    assert still["status"] == "booked"  # one tap does not cancel
    cancelled = click(live_stack, sender, asked, "确定取消")
    assert "已为您取消" in texts(cancelled), texts(cancelled)
    [visit] = rows(
        live_stack,
        "SELECT status FROM eldercare_visits WHERE reference = :reference",
        reference=reference.group(0),
    )
    assert visit["status"] == "cancelled"


def test_nothing_found_says_why_and_relaxing_the_area_helps(live_stack: LiveStack) -> None:
    sender = new_sender("e2e-elder")
    empty = say(live_stack, sender, "淳安县有没有照顾老年痴呆的养老院，预算不限")
    reply = texts(empty)
    assert "淳安县" in reply and "认知症照护" in reply and "暂时没有" in reply, reply
    wider = click(live_stack, sender, empty, "扩大范围")
    assert "全市范围" in texts(wider)
    assert "1. " in texts(wider)


def test_a_shared_location_and_a_policy_question_on_the_way(live_stack: LiveStack) -> None:
    sender = new_sender("e2e-elder")
    say(live_stack, sender, "帮我找个养老的地方")
    located = say(live_stack, sender, '/share_location{"lat": 30.2735, "lon": 120.1640}')
    assert "哪方面的照护" in texts(located)
    answered = say(live_stack, sender, "高龄津贴怎么领")
    assert "来源" in texts(answered), texts(answered)
    assert "哪方面的照护" in texts(answered)
    meals = say(live_stack, sender, "就想找个吃饭的地方")
    reply = texts(meals)
    assert "您的位置附近，老年食堂" in reply, reply
    assert "距您约" in reply and "每餐约" in reply
    assert "武林街道老年食堂（示例）" in reply
