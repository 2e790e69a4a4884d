"""Office hours (working days from zhtext.holidays), wait estimates, crisis words, cancel."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from backoffice.records.handoff.masking import mask_slots, mask_text
from backoffice.records.handoff.policy import (
    HandoffPolicyError,
    join_lines,
    load_policy,
    policy_from_document,
)
from backoffice.records.handoff.wiring import desk_policy

HANGZHOU = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A Hangzhou wall-clock time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=HANGZHOU)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2026, 11, 30, 10), True),  # Monday morning
        (local(2026, 11, 30, 8, 29), False),  # before opening
        (local(2026, 11, 30, 12, 30), False),  # lunch break
        (local(2026, 11, 30, 17, 29), True),
        (local(2026, 11, 30, 17, 30), False),  # closing time is exclusive
        (local(2026, 11, 28, 10), False),  # Saturday
        (local(2026, 10, 1, 10), False),  # National Day (statutory holiday)
        (local(2026, 1, 4, 10), True),  # Sunday worked in exchange for New Year (调休)
    ],
)
def test_office_hours(moment: dt.datetime, expected: bool) -> None:
    assert load_policy().hours.is_open(moment) is expected


def test_naive_datetimes_are_utc() -> None:
    hours = load_policy().hours
    assert hours.is_open(dt.datetime(2026, 11, 30, 2, 0))  # 10:00 in Hangzhou


def test_next_opening_skips_weekend_and_lunch() -> None:
    hours = load_policy().hours
    saturday = hours.next_opening(local(2026, 11, 28, 10))
    assert saturday is not None and (saturday.date(), saturday.hour, saturday.minute) == (
        dt.date(2026, 11, 30),
        8,
        30,
    )
    lunch = hours.next_opening(local(2026, 11, 30, 12, 5))
    assert lunch is not None and (lunch.hour, lunch.minute) == (13, 30)
    national_day = hours.next_opening(local(2026, 10, 1, 9))
    assert national_day is not None and national_day.date() == dt.date(2026, 10, 8)


def test_wait_estimate() -> None:
    policy = load_policy()
    per = policy.minutes_per_citizen
    assert policy.estimated_wait_minutes(position=1, staff_available=0) == per
    assert policy.estimated_wait_minutes(position=3, staff_available=1) == 3 * per
    assert policy.estimated_wait_minutes(position=3, staff_available=2) == -(-3 * per // 2)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我不想活了", "suicide"),
        ("有人想自杀怎么办", "suicide"),
        ("我老公家暴我", "domestic_violence"),
        ("我被打了", "domestic_violence"),
        ("我家老人走失了", "missing_person"),
        ("孩子走丢了怎么办", "missing_person"),
        ("我想预约结婚登记", None),
        ("低保怎么申请", None),
    ],
)
def test_crisis_words(text: str, code: str | None) -> None:
    found = load_policy().crisis.detect(text)
    assert (found.code if found else None) == code
    if found:
        assert "110" in found.reply


def test_crisis_replies_give_the_numbers_and_keep_the_transfer_apart() -> None:
    for category in load_policy().crisis.categories:
        assert "110" in category.reply, category.code
        # Said only while staff are on duty: out of hours nobody takes the conversation.
        assert "转接" not in category.reply and "转接" in category.handover, category.code
        for text in (category.reply, category.handover):
            assert not re.search(r"[。，；！？）]\s|\s[。，；！？（]", text), text


@pytest.mark.parametrize(
    ("folded", "joined"),
    [
        ("请拨打 120（急救）。 您也可以拨打 12356。", "请拨打 120（急救）。您也可以拨打 12356。"),
        ("请立即\n拨打 110 报警", "请立即拨打 110 报警"),
        ("热线 12345 （24 小时）", "热线 12345（24 小时）"),
        ("call 110 now", "call 110 now"),
    ],
)
def test_folded_lines_join_without_stray_spaces(folded: str, joined: str) -> None:
    assert join_lines(folded) == joined


@pytest.mark.parametrize(
    ("text", "cancel"),
    [("不等了", True), ("不等了！", True), ("我不等了。", True), ("等一下", False)],
)
def test_cancel_phrases(text: str, cancel: bool) -> None:
    assert load_policy().is_cancel(text) is cancel


def test_malformed_policy_is_refused() -> None:
    with pytest.raises(HandoffPolicyError):
        policy_from_document({"office_hours": {"sessions": [{"start": "12:00", "end": "08:00"}]}})
    with pytest.raises(HandoffPolicyError):
        policy_from_document([])


def test_masking() -> None:
    assert mask_text("身份证 330106199001011234，电话 13812345678") == (
        "身份证 3301**********1234，电话 13812345678"
    )
    assert mask_slots({"bride_id_number": "E12345678", "age": 30}) == {
        "bride_id_number": "E******78",
        "age": 30,
    }


def test_a_duty_only_desk_has_no_office_hours() -> None:
    monday_morning = local(2026, 11, 30, 10)
    assert desk_policy(duty_only=False).hours.is_open(monday_morning)
    closed = desk_policy(duty_only=True).hours
    assert not closed.is_open(monday_morning) and closed.next_opening(monday_morning) is None
