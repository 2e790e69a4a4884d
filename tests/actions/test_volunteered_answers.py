"""Answers given before they are asked: the donation form and the pre-screen read them."""

from __future__ import annotations

from typing import Any

import pytest

from actions.confirm_service import request_words
from actions.donation.volunteered import amount_said, wants_receipt
from actions.prescreen import slots
from actions.prescreen.volunteered import volunteered_answers
from testkit.trackers import make_tracker, user_event


@pytest.mark.parametrize(
    ("text", "amount", "receipt"),
    [
        ("我想给助学项目捐两百块，不要票据", "我想给助学项目捐两百块", False),
        ("捐一千，要开票据", "捐一千", True),
        ("我想匿名捐款", None, None),
        ("给养老助餐项目捐500元，匿名，不需要发票", "给养老助餐项目捐500元", False),
    ],
)
def test_a_pledge_sentence_gives_amount_and_receipt(
    text: str, amount: str | None, receipt: bool | None
) -> None:
    assert amount_said(text) == amount
    assert wants_receipt(text) is receipt


def test_a_household_sentence_gives_size_district_and_income() -> None:
    found = volunteered_answers("我家三口人住在拱墅区，每月收入一共2000元，能申请低保吗")
    assert found[slots.HOUSEHOLD_SIZE]["value"] == 3
    assert found[slots.DISTRICT] == "gongshu"
    assert found[slots.INCOME]["value"] == "2000"


def test_savings_are_not_read_as_income() -> None:
    found = volunteered_answers("存款两万，家里没有车")
    assert slots.INCOME not in found
    assert slots.HOUSEHOLD_SIZE not in found


def bot(action: str) -> dict[str, Any]:
    return {"event": "bot", "text": "?", "metadata": {"utter_action": action}}


def test_the_words_asked_back_about_are_the_request() -> None:
    events = [
        user_event("我家三口人，月收入两千", "describe_household"),
        bot("utter_confirm_request_prescreen"),
        user_event("/request_prescreen", "request_prescreen"),
    ]
    assert request_words(make_tracker(events)) == "我家三口人，月收入两千"


def test_a_button_without_an_ask_back_is_its_own_request() -> None:
    events = [
        user_event("你好", "greet"),
        bot("utter_menu"),
        user_event("/request_prescreen", "request_prescreen"),
    ]
    assert request_words(make_tracker(events)) == "/request_prescreen"
