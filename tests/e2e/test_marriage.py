"""婚姻登记预约 end to end: chat through the web endpoint, then find the booking in the database.

Dates are computed from today (the first bookable days of the window), never written down.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from backoffice.records.marriage.bookable import bookable_days
from backoffice.records.marriage.models import MarriageBooking
from backoffice.records.marriage.policy import get_policy
from testkit.chat import buttons, new_sender, say, texts, tracker_rows
from testkit.stack import LiveStack
from zhtext.city_time import city_today
from zhtext.idcard import check_digit

pytestmark = pytest.mark.e2e

TODAY = city_today()
REFERENCE = re.compile(r"HY-\d{8}-\d{4}")


def make_id(*, male: bool, sequence: int) -> str:
    if (sequence % 2 == 1) != male:
        sequence += 1
    first17 = f"330106{TODAY.year - 30}0612{sequence:03d}"
    return first17 + check_digit(first17)


def bookable(offset: int) -> dt.date:
    return bookable_days(today=TODAY, window=get_policy().booking_window)[offset].day


def stored(stack: LiveStack, reference: str) -> MarriageBooking | None:
    engine = create_engine(stack.database_url)
    try:
        with Session(engine) as session:
            return session.scalar(
                select(MarriageBooking).where(MarriageBooking.reference == reference)
            )
    finally:
        engine.dispose()


def book(stack: LiveStack, sender: str, day: dt.date, groom: str, bride: str) -> str:
    """Walk the whole booking form and return the reference."""
    reply = say(stack, sender, "我想预约结婚登记")
    assert "登记处" in texts(reply), texts(reply)
    assert "西湖区" in buttons(reply)

    reply = say(stack, sender, "西湖区")
    assert "哪一天" in texts(reply), texts(reply)
    assert buttons(reply), "the next bookable days are offered as buttons"

    reply = say(stack, sender, f"{day.month}月{day.day}号上午")
    assert "您本人的姓名" in texts(reply), texts(reply)

    assert "身份证" in texts(say(stack, sender, "张伟"))
    assert "对方的姓名" in texts(say(stack, sender, groom))
    assert "对方" in texts(say(stack, sender, "李娜"))
    assert "联系电话" in texts(say(stack, sender, bride))

    summary = say(stack, sender, "13812345678")
    shown = texts(summary)
    assert "请核对预约信息" in shown, shown
    assert "张*" in shown and "李*" in shown
    assert groom not in shown and "13812345678" not in shown
    assert groom[:4] + "*" * 10 + groom[-4:] in shown

    booked = texts(say(stack, sender, buttons(summary)["确认预约"]))
    assert "预约成功" in booked, booked
    assert "身份证" in booked and "不再需要户口簿" in booked
    found = REFERENCE.search(booked)
    assert found, booked
    return found.group(0)


def test_a_booking_made_in_chat_is_in_the_database(live_stack: LiveStack) -> None:
    day = bookable(1)
    groom, bride = make_id(male=True, sequence=101), make_id(male=False, sequence=102)
    sender = new_sender("e2e-marriage")
    reference = book(live_stack, sender, day, groom, bride)
    booking = stored(live_stack, reference)
    assert booking is not None
    assert booking.status == "booked"
    # The ID numbers went through three turns of the form, yet Rasa's store never kept them raw.
    events = tracker_rows(live_stack, sender)
    assert any(reference in row for row in events), "conversation not stored"
    assert not any(groom in row or bride in row for row in events)
    assert (booking.day, booking.half_day, booking.booking_type) == (day, "am", "marriage")
    assert (booking.party1_id_number, booking.party2_id_number) == (groom, bride)
    assert booking.phone == "13812345678"
    assert reference == f"HY-{day:%Y%m%d}-{reference[-4:]}"
    # Nor did any process print the names, ID numbers or phone to its log.
    logs = live_stack.full_logs()
    assert {"rasa", "actions", "web"} <= set(logs)
    for name, log in logs.items():
        for personal in (groom, bride, "13812345678", "张伟", "李娜"):
            assert personal not in log, f"{personal} in the {name} log"


def test_check_needs_a_proof_and_cancel_frees_the_booking(live_stack: LiveStack) -> None:
    day = bookable(2)
    groom, bride = make_id(male=True, sequence=201), make_id(male=False, sequence=202)
    reference = book(live_stack, new_sender("e2e-marriage"), day, groom, bride)

    stranger = new_sender("e2e-marriage")
    reply = say(live_stack, stranger, "查一下我的婚姻登记预约")
    assert "预约编号" in texts(reply)
    reply = say(live_stack, stranger, reference)
    assert "手机号" in texts(reply), texts(reply)
    reply = say(live_stack, stranger, "13900000000")
    assert "没有找到" in texts(reply), texts(reply)
    assert "张" not in texts(reply)

    owner = new_sender("e2e-marriage")
    say(live_stack, owner, "我要取消婚姻登记预约")
    reply = say(live_stack, owner, f"{reference} 身份证后四位{bride[-4:]}")
    assert "确定要取消" in texts(reply), texts(reply)
    reply = say(live_stack, owner, "确定")
    assert "已为您取消" in texts(reply), texts(reply)
    booking = stored(live_stack, reference)
    assert booking is not None and booking.status == "cancelled"


def test_stop_and_handoff_work_in_the_middle_of_the_form(live_stack: LiveStack) -> None:
    sender = new_sender("e2e-marriage")
    say(live_stack, sender, "帮我约个领证")
    say(live_stack, sender, "滨江区")
    reply = say(live_stack, sender, "算了不约了")
    assert "确定不办了吗" in texts(reply), texts(reply)  # the office was given: ask first
    reply = say(live_stack, sender, "/stop")  # 确定不办了
    assert "已停止预约" in texts(reply), texts(reply)

    sender = new_sender("e2e-marriage")
    say(live_stack, sender, "预约婚姻登记")
    reply = say(live_stack, sender, "转人工")
    assert "已停止预约" not in texts(reply)
    assert "人工" in texts(reply) or "12345" in texts(reply), texts(reply)


def test_divorce_explains_the_cooling_off_period(live_stack: LiveStack) -> None:
    sender = new_sender("e2e-marriage")
    say(live_stack, sender, "预约婚姻登记")
    reply = say(live_stack, sender, "离婚登记申请")
    assert "冷静期" in texts(reply), texts(reply)
    assert "登记处" in texts(reply)


def test_a_side_question_is_answered_and_the_form_resumes(live_stack: LiveStack) -> None:
    sender = new_sender("e2e-marriage")
    say(live_stack, sender, "我想预约结婚登记")
    say(live_stack, sender, "西湖区")
    reply = say(live_stack, sender, "领证要带什么材料？")
    assert "哪一天" in texts(reply), "the form asks its question again after the answer"
    if "身份证" not in texts(reply):
        # the knowledge base was not sure and offered articles: choosing one answers it
        choices = [title for title in buttons(reply) if "材料" in title]
        assert choices, texts(reply)
        reply = say(live_stack, sender, buttons(reply)[choices[0]])
        assert "哪一天" in texts(reply), texts(reply)
    assert "身份证" in texts(reply), texts(reply)
    reply = say(live_stack, sender, "可以周末去吗？")
    assert "周末" in texts(reply) and "哪一天" in texts(reply), texts(reply)
    day = bookable(3)
    reply = say(live_stack, sender, f"{day.month}月{day.day}号下午")
    assert "您本人的姓名" in texts(reply), texts(reply)


def test_reschedule_moves_the_booking_in_the_database(live_stack: LiveStack) -> None:
    day, new_day = bookable(4), bookable(5)
    groom, bride = make_id(male=True, sequence=301), make_id(male=False, sequence=302)
    reference = book(live_stack, new_sender("e2e-marriage"), day, groom, bride)

    sender = new_sender("e2e-marriage")
    say(live_stack, sender, "我想改一下领证的时间")
    reply = say(live_stack, sender, f"{reference} 13812345678")
    assert "哪一天" in texts(reply), texts(reply)
    reply = say(live_stack, sender, f"{new_day.month}月{new_day.day}号下午")
    assert "改期成功" in texts(reply), texts(reply)
    booking = stored(live_stack, reference)
    assert booking is not None
    assert (booking.day, booking.half_day, booking.status) == (new_day, "pm", "rescheduled")
