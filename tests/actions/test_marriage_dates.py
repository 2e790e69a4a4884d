"""The marriage booking's day and half-day: refusals that say why, alternatives, the window."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from actions.clients.marriage import DayCheck, MarriageApi, Policy
from actions.marriage import booking as booking_actions
from actions.marriage import common as s
from actions.marriage import days, form_turn
from actions.marriage.parsing import format_day
from backoffice.records.marriage import models
from backoffice.records.marriage.bookable import bookable_days
from backoffice.records.marriage.policy import get_policy
from core.settings import get_settings
from knowledge.loader import load_knowledge_base
from testkit.trackers import EMPTY_DOMAIN, make_tracker
from tests.actions.marriage_support import (
    DOMAIN_FILE,
    TODAY,
    answer,
    assert_day_off_refused,
    bookable,
    md,
    responses,
    run,
)
from tests.actions.marriage_support import api as api
from tests.actions.marriage_support import app as app
from tests.actions.marriage_support import down as down
from tests.actions.marriage_support import factory as factory
from zhtext.holidays import day_status

KNOWLEDGE_DIR = get_settings().knowledge_dir


def test_dates_outside_the_window_say_exactly_why(api: MarriageApi) -> None:
    slots = {"requested_slot": s.DATE, s.OFFICE: "xihu"}
    changes, messages = answer("今天", slots)
    assert changes[s.DATE] is None
    assert responses(messages) == ["utter_marriage_date_past"]
    far = TODAY + dt.timedelta(days=45)
    changes, messages = answer(md(far), slots)
    assert changes[s.DATE] is None
    assert responses(messages) == ["utter_marriage_date_too_far"]
    assert messages[0]["last_day"] == format_day(TODAY + dt.timedelta(days=30), today=TODAY)
    # A day off after the first bookable day (a weekend right after today is "too soon").
    upcoming = [TODAY + dt.timedelta(days=n) for n in range(1, 30)]
    third_working_day = [d for d in upcoming if day_status(d).is_working_day][2]
    day_off = next(
        d for d in upcoming if d > third_working_day and not day_status(d).is_working_day
    )
    changes, messages = answer(md(day_off), slots)
    assert changes[s.DATE] is None
    assert_day_off_refused(messages[0])
    changes, messages = answer("啊这个嘛", slots)
    assert changes == {s.DATE: None}
    assert responses(messages) == ["utter_marriage_unclear_date"]


def test_a_full_half_day_offers_alternatives_as_buttons(
    api: MarriageApi, factory: sessionmaker[Session]
) -> None:
    day = bookable(3)
    with factory() as session:
        session.execute(update(models.MarriageOffice).values(capacity_am=0))
        session.commit()
    changes, messages = answer(
        "上午", {"requested_slot": s.HALF_DAY, s.OFFICE: "xihu", s.DATE: day.isoformat()}
    )
    assert "utter_marriage_slot_full" in responses(messages)
    assert changes[s.DATE] is None and changes[s.HALF_DAY] is None
    suggestions = changes[s.SUGGESTIONS]
    assert suggestions[0] == f"{format_day(day, today=TODAY)}下午"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={s.SUGGESTIONS: suggestions})
    events = run(booking_actions.ActionAskMarriageDate().run(dispatcher, tracker, EMPTY_DOMAIN))
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == suggestions
    assert SlotSet(s.SUGGESTIONS, None) in events
    # choosing an alternative fills day and half-day again
    changes, _ = answer(suggestions[0], {"requested_slot": s.DATE, s.OFFICE: "xihu"})
    assert (changes[s.DATE], changes[s.HALF_DAY]) == (day.isoformat(), "pm")


def test_a_day_in_a_year_without_official_holidays_is_flagged_as_an_estimate() -> None:
    day = TODAY + dt.timedelta(days=10)

    class EstimatingApi:
        async def check_day(self, asked: dt.date) -> DayCheck:
            return DayCheck(
                day=asked,
                bookable=True,
                reason=None,
                is_estimate=True,
                holiday_name=None,
                first_day=TODAY + dt.timedelta(days=1),
                last_day=TODAY + dt.timedelta(days=30),
                next_bookable_days=[],
            )

    dispatcher = CollectingDispatcher()
    turn = form_turn.Turn(api=EstimatingApi(), dispatcher=dispatcher, values={}, today=TODAY)  # type: ignore[arg-type]
    assert run(days.read_day(turn, day)) is True
    assert turn.changes[s.DATE] == day.isoformat()
    [note] = dispatcher.messages
    assert note["response"] == "utter_marriage_date_estimate"
    assert note["year"] == day.year


def placeholders_missing(message: dict[str, Any]) -> set[str]:
    """Placeholders of the uttered response that the action did not fill (Rasa would show them)."""
    with DOMAIN_FILE.open(encoding="utf-8") as handle:
        responses_ = yaml.safe_load(handle)["responses"]
    text = responses_[message["response"]][0]["text"]
    return set(re.findall(r"{(\w+)}", text)) - set(message)


def test_the_date_question_and_refusals_name_the_configured_window(
    api: MarriageApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatcher = CollectingDispatcher()
    run(booking_actions.ActionAskMarriageDate().run(dispatcher, make_tracker(), EMPTY_DOMAIN))
    [question] = dispatcher.messages
    window = get_policy().booking_window
    assert question["response"] == "utter_ask_marriage_date"
    assert (question["horizon_days"], question["lead_working_days"]) == (
        window.horizon_days,
        window.lead_working_days,
    )
    assert placeholders_missing(question) == set()
    slots = {"requested_slot": s.DATE, s.OFFICE: "xihu"}
    _, messages = answer(md(TODAY + dt.timedelta(days=window.horizon_days + 15)), slots)
    assert messages[0]["response"] == "utter_marriage_date_too_far"
    assert messages[0]["horizon_days"] == window.horizon_days
    assert placeholders_missing(messages[0]) == set()
    # the texts themselves carry no figure of the window
    with DOMAIN_FILE.open(encoding="utf-8") as handle:
        texts = yaml.safe_load(handle)["responses"]
    for name in ("utter_ask_marriage_date", "utter_marriage_date_too_far"):
        assert "{horizon_days}" in texts[name][0]["text"] and "30天" not in texts[name][0]["text"]
    too_soon = texts["utter_marriage_date_too_soon"][0]["text"]
    assert "{lead_working_days}" in too_soon and "1个工作日" not in too_soon


def test_a_too_soon_day_names_the_configured_notice() -> None:
    day = TODAY + dt.timedelta(days=1)

    class ThreeDaysNoticeApi:
        async def check_day(self, asked: dt.date) -> DayCheck:
            return DayCheck(
                day=asked,
                bookable=False,
                reason="too_soon",
                is_estimate=False,
                holiday_name=None,
                first_day=TODAY + dt.timedelta(days=5),
                last_day=TODAY + dt.timedelta(days=45),
                next_bookable_days=[],
            )

        async def get_policy(self) -> Policy:
            return Policy.model_validate(
                {
                    "booking_window": {"lead_working_days": 3, "horizon_days": 45},
                    "weekend": {"statement": "周末预约登记。", "form_reply": "{day}：{statement}"},
                    "minimum_age": {"male": 22, "female": 20},
                    "cooling_off_days": 30,
                    "booking_types": {},
                }
            )

    dispatcher = CollectingDispatcher()
    turn = form_turn.Turn(api=ThreeDaysNoticeApi(), dispatcher=dispatcher, values={}, today=TODAY)  # type: ignore[arg-type]
    assert run(days.read_day(turn, day)) is False
    [refusal] = dispatcher.messages
    assert refusal["response"] == "utter_marriage_date_too_soon"
    assert (refusal["lead_working_days"], refusal["horizon_days"]) == (3, 45)
    assert placeholders_missing(refusal) == set()


def test_the_date_question_without_the_back_office_names_no_window(down: None) -> None:
    dispatcher = CollectingDispatcher()
    run(booking_actions.ActionAskMarriageDate().run(dispatcher, make_tracker(), EMPTY_DOMAIN))
    [question] = dispatcher.messages
    assert question["response"] == "utter_marriage_ask_date_plain"
    assert placeholders_missing(question) == set()


def _day_off_inside_the_window() -> dt.date:
    first = bookable(0)
    return next(
        d
        for d in (first + dt.timedelta(days=n) for n in range(1, 25))
        if not day_status(d).is_working_day
    )


def test_a_weekend_or_holiday_offers_the_nearest_half_days_around_it(api: MarriageApi) -> None:
    day_off = _day_off_inside_the_window()
    changes, messages = answer(md(day_off), {"requested_slot": s.DATE, s.OFFICE: "xihu"})
    assert changes[s.DATE] is None
    assert_day_off_refused(messages[0])
    suggestions = changes[s.SUGGESTIONS]
    # the free half-days nearest to the day asked for (before and after it), not from today
    halves = [
        (d.day, h)
        for d in bookable_days(today=TODAY, window=get_policy().booking_window)
        for h in ("am", "pm")
    ]
    position = day_off.toordinal() * 2
    halves.sort(key=lambda p: (abs(p[0].toordinal() * 2 + (p[1] == "pm") - position), p[0]))
    expected = [
        f"{format_day(d, today=TODAY)}{'上午' if h == 'am' else '下午'}"
        for d, h in halves[: len(suggestions)]
    ]
    assert suggestions == expected
    assert len(suggestions) == get_policy().alternatives.same_office
    # the next question shows them as buttons
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={s.SUGGESTIONS: suggestions})
    run(booking_actions.ActionAskMarriageDate().run(dispatcher, tracker, EMPTY_DOMAIN))
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == suggestions
    # without an office yet: the bookable days after the day asked for
    changes, _ = answer(md(day_off), {"requested_slot": s.DATE})
    after = [d.day for d in bookable_days(today=TODAY, window=get_policy().booking_window)]
    after = [d for d in after if d > day_off][: s.DAYS_OFFERED]
    assert changes[s.SUGGESTIONS] == [format_day(d, today=TODAY) for d in after]


def test_a_plain_weekend_quotes_the_weekend_rule_the_article_quotes(api: MarriageApi) -> None:
    saturday = next(
        d
        for d in (bookable(0) + dt.timedelta(days=n) for n in range(1, 25))
        if d.weekday() == 5 and day_status(d).name is None and not day_status(d).is_working_day
    )
    changes, messages = answer(md(saturday), {"requested_slot": s.DATE, s.OFFICE: "xihu"})
    assert changes[s.DATE] is None
    rule = get_policy().weekend
    expected = rule.form_reply.format(
        day=format_day(saturday, today=TODAY), statement=rule.statement
    )
    assert messages[0]["text"] == expected
    assert changes[s.SUGGESTIONS]  # the nearest working days are still offered
    article = load_knowledge_base(KNOWLEDGE_DIR).get("marriage-weekend-booking")
    assert article is not None and rule.statement in article.answer
