"""Checking, rescheduling and cancelling a marriage booking; refusals and outages on the way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.clients.backoffice import BackofficeTransport
from actions.clients.marriage import MarriageApi
from actions.marriage import common as s
from actions.marriage import manage
from backoffice import lookup_guard
from backoffice.lookup_guard import LookupGuard
from backoffice.records.marriage import models
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event
from tests.actions.marriage_support import answer, bookable, filled, md, responses, run
from tests.actions.marriage_support import api as api
from tests.actions.marriage_support import app as app
from tests.actions.marriage_support import factory as factory
from zhtext.city_time import city_today


def lookup(wanted: str, reference: str, proof: str) -> tuple[list[Any], list[dict[str, Any]]]:
    tracker = make_tracker(
        slots={
            manage.MANAGE_ACTION: wanted,
            manage.LOOKUP_REFERENCE: reference,
            manage.LOOKUP_PROOF: proof,
        }
    )
    dispatcher = CollectingDispatcher()
    events = run(manage.ActionFindMarriageBooking().run(dispatcher, tracker, EMPTY_DOMAIN))
    return events, dispatcher.messages


def book_one() -> tuple[str, dict[str, Any]]:
    slots = filled()
    changes, _ = answer("确认", slots, intent="affirm")
    return str(changes[s.REFERENCE]), slots


def test_lookup_needs_the_reference_and_a_proof(api: MarriageApi) -> None:
    assert manage.parse_reference("编号是 hy 20261201 0007") == "HY-20261201-0007"
    assert manage.parse_proof("HY-20261201-0007 13812345678") == "13812345678"
    assert manage.parse_proof("后四位003x") == "003X"
    reference, slots = book_one()
    events, messages = lookup("check", reference, "13900000000")
    assert responses(messages) == ["utter_marriage_lookup_failed"]
    assert SlotSet(manage.PENDING, None) in events
    events, messages = lookup("check", reference, slots[s.PARTY2_ID][-4:])
    assert responses(messages)[0] == "utter_marriage_status_booked"
    assert messages[0]["party1_name"] == "张*"
    assert SlotSet(manage.PENDING, "check") in events


def test_cancel_after_confirming(api: MarriageApi, factory: sessionmaker[Session]) -> None:
    reference, _ = book_one()
    events, messages = lookup("cancel", reference, "13812345678")
    assert responses(messages) == ["utter_marriage_booking_found", "utter_marriage_confirm_cancel"]
    assert SlotSet(manage.PENDING, "cancel") in events
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={manage.LOOKUP_REFERENCE: reference, manage.LOOKUP_PROOF: "13812345678"}
    )
    run(manage.ActionCancelMarriageBooking().run(dispatcher, tracker, EMPTY_DOMAIN))
    assert responses(dispatcher.messages) == ["utter_marriage_cancelled"]
    with factory() as session:
        stored = session.scalar(select(models.MarriageBooking))
        assert stored is not None and stored.status == "cancelled"


def test_reschedule_to_a_new_half_day(api: MarriageApi, factory: sessionmaker[Session]) -> None:
    reference, _ = book_one()
    events, _ = lookup("reschedule", reference, "13812345678")
    assert SlotSet(manage.PENDING, "reschedule") in events
    assert SlotSet(s.OFFICE, "xihu") in events
    new_day = bookable(6)
    tracker = make_tracker(
        [user_event(f"{md(new_day)}下午", "inform_marriage_details")],
        slots={"requested_slot": s.DATE, s.OFFICE: "xihu", s.BUSINESS_TYPE: "marriage"},
        active_loop="marriage_reschedule_form",
    )
    dispatcher = CollectingDispatcher()
    changes = {
        e["name"]: e["value"]
        for e in run(manage.ValidateMarriageRescheduleForm().run(dispatcher, tracker, EMPTY_DOMAIN))
    }
    assert (changes[s.DATE], changes[s.HALF_DAY]) == (new_day.isoformat(), "pm")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={
            manage.LOOKUP_REFERENCE: reference,
            manage.LOOKUP_PROOF: "13812345678",
            s.OFFICE: "xihu",
            **changes,
        }
    )
    run(manage.ActionRescheduleMarriageBooking().run(dispatcher, tracker, EMPTY_DOMAIN))
    assert responses(dispatcher.messages)[0] == "utter_marriage_rescheduled"
    with factory() as session:
        stored = session.scalar(select(models.MarriageBooking))
        assert stored is not None
        assert (stored.day, stored.half_day, stored.status) == (new_day, "pm", "rescheduled")


def test_a_full_id_number_as_proof_keeps_only_its_last_4(api: MarriageApi) -> None:
    reference, slots = book_one()
    full_id = slots[s.PARTY2_ID]
    assert manage.parse_proof(full_id) == full_id[-4:].upper()
    assert manage.parse_proof(f"{reference} {full_id[:6]} {full_id[6:14]} {full_id[14:]}") == (
        full_id[-4:].upper()
    )
    tracker = make_tracker(
        [user_event(f"{reference} {full_id}", "inform_marriage_details")],
        slots={"requested_slot": manage.LOOKUP_REFERENCE},
        active_loop="marriage_lookup_form",
    )
    dispatcher = CollectingDispatcher()
    events = run(manage.ValidateMarriageLookupForm().run(dispatcher, tracker, EMPTY_DOMAIN))
    assert SlotSet(manage.LOOKUP_PROOF, full_id[-4:].upper()) in events
    assert full_id not in repr(events) and full_id not in repr(dispatcher.messages)
    _, messages = lookup("check", reference, full_id[-4:])
    assert responses(messages)[0] == "utter_marriage_status_booked"
    assert full_id not in repr(messages)


def test_guessing_blocks_a_booking_for_a_while_only(
    api: MarriageApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    guard = LookupGuard(max_failures=5, window_seconds=3600, clock=lambda: now[0])
    monkeypatch.setattr(lookup_guard, "get_lookup_guard", lambda: guard)
    reference, _ = book_one()
    for guess in range(5):
        _, messages = lookup("check", reference, f"{guess:04d}")
        assert responses(messages) == ["utter_marriage_lookup_failed"]
    _, messages = lookup("check", reference, "13812345678")
    assert responses(messages) == ["utter_marriage_lookup_locked"]
    now[0] += 3601
    _, messages = lookup("check", reference, "13812345678")
    assert responses(messages)[0] == "utter_marriage_status_booked"


def test_a_booking_whose_day_has_passed_is_not_cancelled(
    api: MarriageApi, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference, _ = book_one()
    day_after = dt.date.fromisoformat(filled()[s.DATE]) + dt.timedelta(days=1)
    monkeypatch.setattr(manage, "city_today", lambda: day_after)
    events, messages = lookup("cancel", reference, "13812345678")
    assert responses(messages) == ["utter_marriage_cancel_too_late"]
    assert SlotSet(manage.PENDING, None) in events
    # and if it gets that far, the back office refuses too, in plain words
    app.dependency_overrides[city_today] = lambda: day_after
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={manage.LOOKUP_REFERENCE: reference, manage.LOOKUP_PROOF: "13812345678"}
    )
    run(manage.ActionCancelMarriageBooking().run(dispatcher, tracker, EMPTY_DOMAIN))
    assert responses(dispatcher.messages) == ["utter_marriage_cancel_too_late"]


def answering(monkeypatch: pytest.MonkeyPatch, status: int, code: str, detail: str) -> None:
    """Every call to the back office gets `status` with this error (503: it is failing)."""
    error = {"error": {"code": code, "message": detail}}
    transport = BackofficeTransport(
        base_url="http://backoffice",
        timeout=5,
        transport=httpx.MockTransport(lambda request: httpx.Response(status, json=error)),
    )
    monkeypatch.setattr(manage, "get_marriage_api", lambda: MarriageApi(transport))


VERIFIED = {
    manage.MANAGE_ACTION: "check",
    manage.LOOKUP_REFERENCE: "HY-20261201-0007",
    manage.LOOKUP_PROOF: "13812345678",
    manage.PENDING: "check",
}


@pytest.mark.parametrize(
    ("status", "code", "said", "events"),
    [
        (
            404,
            "not_found",
            "utter_marriage_lookup_failed",
            [SlotSet(manage.PENDING, None), SlotSet(manage.LOOKUP_PROOF, None)],
        ),
        (
            429,
            "too_many_attempts",
            "utter_marriage_lookup_locked",
            [SlotSet(manage.PENDING, None), SlotSet(manage.LOOKUP_PROOF, None)],
        ),
        # down: the proof is kept, so asking again later needs no new answer
        (503, "unavailable", "utter_records_unavailable", [SlotSet(manage.PENDING, None)]),
    ],
)
def test_a_refused_or_failing_lookup_says_why_and_forgets_what_it_must(
    monkeypatch: pytest.MonkeyPatch, status: int, code: str, said: str, events: list[Any]
) -> None:
    answering(monkeypatch, status, code, "不能查询")
    dispatcher = CollectingDispatcher()
    found = run(
        manage.ActionFindMarriageBooking().run(
            dispatcher, make_tracker(slots=VERIFIED), EMPTY_DOMAIN
        )
    )
    assert responses(dispatcher.messages) == [said]
    assert found == events


@pytest.mark.parametrize(
    ("status", "code", "said", "detail"),
    [
        (409, "cancel_too_late", "utter_marriage_cancel_too_late", None),
        (429, "too_many_attempts", "utter_marriage_lookup_locked", None),
        (409, "already_cancelled", "utter_marriage_change_refused", "这个预约已经取消了"),
        (503, "unavailable", "utter_records_unavailable", None),
    ],
)
def test_a_refused_or_failing_cancellation_says_why(
    monkeypatch: pytest.MonkeyPatch, status: int, code: str, said: str, detail: str | None
) -> None:
    answering(monkeypatch, status, code, "这个预约已经取消了")
    dispatcher = CollectingDispatcher()
    events = run(
        manage.ActionCancelMarriageBooking().run(
            dispatcher, make_tracker(slots=VERIFIED), EMPTY_DOMAIN
        )
    )
    [message] = dispatcher.messages
    assert (message["response"], message.get("detail")) == (said, detail)
    assert events == [SlotSet(manage.PENDING, None)]


@pytest.mark.parametrize(
    ("status", "said", "detail"),
    [
        (409, "utter_marriage_change_refused", "该时段已约满"),
        (503, "utter_records_unavailable", None),
    ],
)
def test_a_refused_or_failing_reschedule_says_why_and_forgets_the_new_time(
    monkeypatch: pytest.MonkeyPatch, status: int, said: str, detail: str | None
) -> None:
    answering(monkeypatch, status, "half_day_full", "该时段已约满")
    slots = {**VERIFIED, s.DATE: bookable(6).isoformat(), s.HALF_DAY: "pm", s.OFFICE: "xihu"}
    dispatcher = CollectingDispatcher()
    events = run(
        manage.ActionRescheduleMarriageBooking().run(
            dispatcher, make_tracker(slots=slots), EMPTY_DOMAIN
        )
    )
    [message] = dispatcher.messages
    assert (message["response"], message.get("detail")) == (said, detail)
    assert events == [
        SlotSet(manage.PENDING, None),
        SlotSet(s.DATE, None),
        SlotSet(s.HALF_DAY, None),
    ]
