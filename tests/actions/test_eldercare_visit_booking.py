"""Booking a facility visit: the visit form (facility, day, half-day, visitor) and the booking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.eldercare import visit_booking, visit_form
from actions.eldercare.visit_form import ValidateEldercareVisitForm
from testkit.trackers import EMPTY_DOMAIN, make_tracker
from tests.actions.eldercare_support import (
    TODAY,
    FakeBackoffice,
    facility_json,
    responses,
    slots_of,
    tracker_for,
)
from tests.actions.eldercare_support import backoffice as backoffice
from zhtext import city_time

VISIT_FORM_DOMAIN = EMPTY_DOMAIN | {
    "forms": {
        "eldercare_visit_form": {
            "required_slots": [
                "eldercare_visit_facility",
                "eldercare_visit_date",
                "eldercare_visit_half_day",
                "eldercare_visitor_name",
                "eldercare_visitor_phone",
            ]
        }
    }
}


def availability_json(am: int, pm: int, day: dt.date) -> dict[str, Any]:
    return {
        "facility_code": "a",
        "visit_date": day.isoformat(),
        "am": am,
        "pm": pm,
        "bookable": True,
    }


async def test_the_visit_button_fills_the_facility(backoffice: FakeBackoffice) -> None:
    backoffice.on("GET", "/api/eldercare/facilities/a", 200, facility_json("a"))
    entities = [{"entity": "eldercare_facility", "value": "a"}]
    tracker = tracker_for(
        "/request_facility_visit", "request_facility_visit", entities=entities,
        form="eldercare_visit_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_visit_facility"] == "a"
    assert filled["eldercare_visit_facility_name"] == "a养老院（示例）"


async def test_tomorrow_morning_fills_date_and_half_day(backoffice: FakeBackoffice) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    backoffice.on(
        "GET", "/api/eldercare/facilities/a/availability", 200, availability_json(2, 2, tomorrow)
    )
    tracker = tracker_for(
        "明天上午", "inform_marriage_details", slots={"eldercare_visit_facility": "a"},
        requested="eldercare_visit_date", form="eldercare_visit_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    filled = slots_of(events)
    assert (filled["eldercare_visit_date"], filled["eldercare_visit_half_day"]) == (
        tomorrow.isoformat(),
        "am",
    )


async def test_tomorrow_is_hangzhou_s_tomorrow_on_a_utc_server_near_midnight(
    backoffice: FakeBackoffice, monkeypatch: pytest.MonkeyPatch, utc_server_near_midnight: dt.date
) -> None:
    monkeypatch.setattr(visit_form, "city_today", city_time.city_today)  # the real clock, not TODAY
    tomorrow = utc_server_near_midnight + dt.timedelta(days=1)
    backoffice.on(
        "GET", "/api/eldercare/facilities/a/availability", 200, availability_json(2, 2, tomorrow)
    )
    tracker = tracker_for(
        "明天上午", slots={"eldercare_visit_facility": "a"},
        requested="eldercare_visit_date", form="eldercare_visit_form",
    )  # fmt: skip
    events = await ValidateEldercareVisitForm().run(
        CollectingDispatcher(), tracker, VISIT_FORM_DOMAIN
    )
    assert slots_of(events)["eldercare_visit_date"] == tomorrow.isoformat()


async def test_a_full_half_day_is_refused_with_the_reason(backoffice: FakeBackoffice) -> None:
    day = TODAY + dt.timedelta(days=2)
    backoffice.on(
        "GET", "/api/eldercare/facilities/a/availability", 200, availability_json(0, 3, day)
    )
    tracker = tracker_for(
        "后天上午", slots={"eldercare_visit_facility": "a"},
        requested="eldercare_visit_date", form="eldercare_visit_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_visit_date"] == day.isoformat()
    assert filled["eldercare_visit_half_day"] is None
    assert responses(dispatcher) == ["utter_eldercare_visit_half_day_full"]


@pytest.mark.parametrize("text", ["今天下午", "明年三月一号"])
async def test_dates_outside_the_window_are_refused(backoffice: FakeBackoffice, text: str) -> None:
    tracker = tracker_for(
        text, slots={"eldercare_visit_facility": "a"},
        requested="eldercare_visit_date", form="eldercare_visit_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    assert slots_of(events)["eldercare_visit_date"] is None
    assert responses(dispatcher) == ["utter_eldercare_visit_date_out_of_window"]


async def test_name_and_phone(backoffice: FakeBackoffice) -> None:
    tracker = tracker_for(
        "我叫张丽，手机13812345678", requested="eldercare_visitor_name",
        form="eldercare_visit_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    filled = slots_of(events)
    assert (filled["eldercare_visitor_name"], filled["eldercare_visitor_phone"]) == (
        "张丽",
        "13812345678",
    )


async def test_a_service_number_is_not_a_phone(backoffice: FakeBackoffice) -> None:
    tracker = tracker_for("12345", requested="eldercare_visitor_phone", form="eldercare_visit_form")
    dispatcher = CollectingDispatcher()
    await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    assert responses(dispatcher) == ["utter_eldercare_visitor_phone_service_number"]


BOOKING_SLOTS = {
    "eldercare_visit_facility": "a",
    "eldercare_visit_facility_name": "a养老院（示例）",
    "eldercare_visit_date": "2026-11-29",
    "eldercare_visit_half_day": "am",
    "eldercare_visitor_name": "张丽",
    "eldercare_visitor_phone": "13812345678",
}


async def test_confirm_reads_the_booking_back_masked() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=BOOKING_SLOTS)
    await visit_booking.ActionConfirmFacilityVisit().run(dispatcher, tracker, EMPTY_DOMAIN)
    [message] = dispatcher.messages
    assert message["when"] == "11月29日（周日） 上午（9:00–11:30）"
    assert (message["visitor"], message["phone"]) == ("张*", "138****5678")


async def test_booking_gives_the_reference(backoffice: FakeBackoffice) -> None:
    visit = {
        "reference": "YL-20261129-0001",
        "facility_code": "a",
        "facility_name": "a养老院（示例）",
        "facility_address": "详细地址待核实，请拨打 12345 询问",
        "facility_phone": "12345",
        "visit_date": "2026-11-29",
        "half_day": "am",
        "visitor_name_masked": "张*",
        "phone_masked": "138****5678",
        "status": "booked",
        "created": True,
    }
    backoffice.on("POST", "/api/eldercare/visits", 201, visit)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=BOOKING_SLOTS, sender_id="web-daughter")
    events = await visit_booking.ActionBookFacilityVisit().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_eldercare_visit_booked"]
    assert dispatcher.messages[0]["reference"] == "YL-20261129-0001"
    assert slots_of(events)["eldercare_visit_reference"] == "YL-20261129-0001"
    [sent] = backoffice.bodies("/api/eldercare/visits")
    assert sent["conversation_id"] == "web-daughter"
    assert (sent["visit_date"], sent["half_day"], sent["phone"]) == (
        "2026-11-29",
        "am",
        "13812345678",
    )


async def test_the_same_booking_again_is_said_to_exist(backoffice: FakeBackoffice) -> None:
    visit = {
        "reference": "YL-20261129-0001",
        "facility_code": "a",
        "facility_name": "a养老院（示例）",
        "facility_address": "详细地址待核实，请拨打 12345 询问",
        "facility_phone": "12345",
        "visit_date": "2026-11-29",
        "half_day": "am",
        "visitor_name_masked": "张*",
        "phone_masked": "138****5678",
        "status": "booked",
        "created": False,
    }
    backoffice.on("POST", "/api/eldercare/visits", 200, visit)
    dispatcher = CollectingDispatcher()
    await visit_booking.ActionBookFacilityVisit().run(
        dispatcher, make_tracker(slots=BOOKING_SLOTS), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_eldercare_visit_already_booked"]


async def test_a_place_taken_meanwhile_asks_for_another_time(backoffice: FakeBackoffice) -> None:
    error = {"error": {"code": "slot_full", "message": "约满了"}}
    backoffice.on("POST", "/api/eldercare/visits", 409, error)
    dispatcher = CollectingDispatcher()
    events = await visit_booking.ActionBookFacilityVisit().run(
        dispatcher, make_tracker(slots=BOOKING_SLOTS), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_eldercare_visit_slot_taken"]
    assert slots_of(events)["eldercare_visit_date"] is None
    assert events[-1] == {"event": "followup", "name": "eldercare_visit_form", "timestamp": None}


async def test_a_second_booking_keeps_name_and_phone_but_asks_the_time_again(
    backoffice: FakeBackoffice,
) -> None:
    backoffice.on("GET", "/api/eldercare/facilities/b", 200, facility_json("b"))
    tracker = tracker_for(
        "/request_facility_visit",
        "request_facility_visit",
        entities=[{"entity": "eldercare_facility", "value": "b"}],
        slots=BOOKING_SLOTS,
        form="eldercare_visit_form",
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateEldercareVisitForm().run(dispatcher, tracker, VISIT_FORM_DOMAIN)
    filled = slots_of(events)
    assert filled["eldercare_visit_facility"] == "b"
    assert filled["eldercare_visit_date"] is None
    assert filled["eldercare_visit_half_day"] is None
    assert "eldercare_visitor_name" not in filled
