"""The booking window as the date question names it (#19, point 9): the last day is bookable.

The back office's calendar route runs in-process (it needs no database), so the working-day and
holiday rules are the ones the booking check uses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.backoffice import BackofficeTransport
from actions.clients.marriage import DayCheck, MarriageApi
from actions.marriage import booking, days, form_turn
from actions.marriage import common as s
from actions.marriage.parsing import format_day
from backoffice.records.marriage.bookable import bookable_days
from backoffice.records.marriage.policy import get_policy
from backoffice.records.marriage.router import router
from core.errors import install_error_handling
from testkit.trackers import EMPTY_DOMAIN, make_tracker
from tests.service_token import SERVICE_HEADERS
from zhtext.city_time import city_today
from zhtext.holidays import is_working_day

TODAY = city_today()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[MarriageApi]:
    app = FastAPI()
    install_error_handling(app)
    app.include_router(router)
    with TestClient(app, headers=SERVICE_HEADERS) as client:

        def forward(request: httpx.Request) -> httpx.Response:
            answer = client.request(request.method, request.url.path, params=request.url.params)
            return httpx.Response(answer.status_code, content=answer.content)

        transport = BackofficeTransport(
            base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(forward)
        )
        marriage_api = MarriageApi(transport)
        monkeypatch.setattr(booking, "get_marriage_api", lambda: marriage_api)
        yield marriage_api


class CalendarApi:
    """A window from `first` to `last` over the real holiday calendar, counting the calls."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        self.asked: list[dt.date] = []

    async def check_day(self, day: dt.date) -> DayCheck:
        self.asked.append(day)
        inside = self.first <= day <= self.last
        return DayCheck(
            day=day,
            bookable=inside and is_working_day(day),
            reason=None if inside else "too_far",
            is_estimate=False,
            holiday_name=None,
            first_day=self.first,
            last_day=self.last,
            next_bookable_days=[],
        )


def window_check(api: CalendarApi) -> DayCheck:
    check: DayCheck = run(api.check_day(api.first))
    return check


def test_a_window_ending_on_a_saturday_after_new_year_names_the_last_working_day_of_the_year() -> (
    None
):
    # The window seen on 2026-12-03: 30 days on is Saturday 2027-01-02, after the New Year's
    # holiday of Friday 2027-01-01 (estimated in knowledge/policies/holidays.yml).
    fake = CalendarApi(dt.date(2026, 12, 4), dt.date(2027, 1, 2))
    last = run(days.last_bookable_day(fake, window_check(fake)))  # type: ignore[arg-type]
    assert last == dt.date(2026, 12, 31)
    assert last.weekday() == 3  # a Thursday


def test_a_window_ending_on_a_working_day_names_that_day_with_one_question() -> None:
    fake = CalendarApi(dt.date(2026, 12, 8), dt.date(2027, 1, 6))
    fake.asked.clear()
    assert run(days.last_bookable_day(fake, window_check(fake))) == dt.date(2027, 1, 6)  # type: ignore[arg-type]
    assert fake.asked == [dt.date(2026, 12, 8), dt.date(2027, 1, 6)]


def test_a_window_without_a_bookable_day_at_its_end_falls_back_on_its_first_day() -> None:
    fake = CalendarApi(dt.date(2027, 1, 1), dt.date(2027, 1, 3))  # the whole New Year holiday
    assert run(days.last_bookable_day(fake, window_check(fake))) == dt.date(2027, 1, 1)  # type: ignore[arg-type]


def test_the_last_bookable_day_is_the_last_day_the_back_office_lets_book(api: MarriageApi) -> None:
    check = run(api.check_day(TODAY))
    expected = bookable_days(today=TODAY, window=get_policy().booking_window)[-1].day
    assert run(days.last_bookable_day(api, check)) == expected
    assert run(api.check_day(expected)).bookable


def test_the_date_question_names_the_last_bookable_day(api: MarriageApi) -> None:
    dispatcher = CollectingDispatcher()
    run(booking.ActionAskMarriageDate().run(dispatcher, make_tracker([]), EMPTY_DOMAIN))
    [question] = dispatcher.messages
    assert question["response"] == "utter_ask_marriage_date"
    last = bookable_days(today=TODAY, window=get_policy().booking_window)[-1].day
    assert question["last_day"] == format_day(last, today=TODAY)


def test_a_day_too_far_is_refused_naming_the_last_bookable_day(api: MarriageApi) -> None:
    window = get_policy().booking_window
    dispatcher = CollectingDispatcher()
    turn = form_turn.Turn(api=api, dispatcher=dispatcher, values={}, today=TODAY)
    too_far = TODAY + dt.timedelta(days=window.horizon_days + 3)
    assert run(days.read_day(turn, too_far)) is False
    [refusal] = dispatcher.messages
    assert refusal["response"] == "utter_marriage_date_too_far"
    last = bookable_days(today=TODAY, window=window)[-1].day
    assert refusal["last_day"] == format_day(last, today=TODAY)
    assert turn.changes[s.DATE] is None
