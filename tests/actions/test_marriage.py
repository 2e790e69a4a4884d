"""Marriage booking actions, driven against the real back office (in-process, throw-away DB).

The back office is reached through `httpx.MockTransport`, whose handler forwards each request to
the FastAPI router with a fresh SQLite database, so refusals (full half-days, wrong proofs) are the
real ones. Dates are computed from today.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from actions.clients.backoffice import BackofficeTransport
from actions.clients.marriage import DayCheck, MarriageApi, Office, Policy
from actions.marriage import booking as booking_actions
from actions.marriage import common as s
from actions.marriage import days, form, form_turn, manage
from actions.marriage.parsing import (
    format_day,
    is_affirmation,
    match_office,
    parse_business_type,
    parse_correction,
    parse_half_day_answer,
    parse_id_answer,
)
from backoffice import lookup_guard
from backoffice.db import Base, get_session, make_engine
from backoffice.lookup_guard import LookupGuard, get_lookup_guard
from backoffice.records.marriage import models
from backoffice.records.marriage.bookable import bookable_days
from backoffice.records.marriage.policy import get_policy
from backoffice.records.marriage.router import router
from backoffice.records.marriage.seed import load_office_rows, seed
from core.errors import install_error_handling
from core.sealing import SEALED_PREFIX, seal, unseal
from core.settings import get_settings
from knowledge.loader import load_knowledge_base
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event
from tests.service_token import SERVICE_HEADERS
from zhtext.city_time import city_today
from zhtext.holidays import day_status
from zhtext.idcard import check_digit
from zhtext.normalise import normalise

TODAY = city_today()
KNOWLEDGE_DIR = get_settings().knowledge_dir
_SEQUENCE = itertools.count(200)
TABLES = [
    Base.metadata.tables[name]
    for name in (
        "marriage_offices",
        "marriage_slots",
        "marriage_bookings",
        "marriage_booking_events",
        "marriage_person_days",
        "marriage_reference_counters",
    )
]


def make_id(*, male: bool, age: int = 30) -> str:
    sequence = next(_SEQUENCE) % 1000
    if (sequence % 2 == 1) != male:
        sequence += 1
    first17 = f"330106{TODAY.year - age}0315{sequence % 1000:03d}"
    return first17 + check_digit(first17)


def bookable(offset: int = 0) -> dt.date:
    return bookable_days(today=TODAY, window=get_policy().booking_window)[offset].day


OFFICES = [Office.model_validate(row) for row in load_office_rows()]


# ---------------------------------------------------------------- back office fixture


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'marriage.db'}")
    Base.metadata.create_all(engine, tables=TABLES)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        seed(session)
    yield sessions
    engine.dispose()


@pytest.fixture
def app(factory: sessionmaker[Session]) -> Iterator[FastAPI]:
    """The back office's marriage routes on the throw-away database, with a fresh look-up guard."""

    def override() -> Iterator[Session]:
        with factory() as session:
            yield session

    backoffice = FastAPI()
    install_error_handling(backoffice)
    backoffice.include_router(router)
    backoffice.dependency_overrides[get_session] = override
    get_lookup_guard.cache_clear()  # failed look-ups of one test do not count in the next
    yield backoffice
    get_lookup_guard.cache_clear()


@pytest.fixture
def api(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[MarriageApi]:
    with TestClient(app, headers=SERVICE_HEADERS) as client:

        def forward(request: httpx.Request) -> httpx.Response:
            answer = client.request(
                request.method,
                request.url.path,
                params=request.url.params,
                content=request.content,
                headers={"content-type": "application/json"},
            )
            return httpx.Response(answer.status_code, content=answer.content)

        transport = BackofficeTransport(
            base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(forward)
        )
        marriage_api = MarriageApi(transport)
        for module in (form, booking_actions, manage):
            monkeypatch.setattr(module, "get_marriage_api", lambda: marriage_api)
        yield marriage_api


@pytest.fixture
def down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    transport = BackofficeTransport(
        base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(refuse)
    )
    for module in (form, booking_actions, manage):
        monkeypatch.setattr(module, "get_marriage_api", lambda: MarriageApi(transport))


# ---------------------------------------------------------------- helpers


def answer(
    text: str, slots: dict[str, Any], *, intent: str = "inform_marriage_details"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the booking form's validation on one message; returns (slot changes, messages)."""
    tracker = make_tracker([user_event(text, intent)], slots=slots, active_loop="marriage_form")
    dispatcher = CollectingDispatcher()
    events = run(form.ValidateMarriageForm().run(dispatcher, tracker, EMPTY_DOMAIN))
    return {e["name"]: e["value"] for e in events}, dispatcher.messages


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") or "" for m in messages]


def assert_day_off_refused(message: dict[str, Any]) -> None:
    """A holiday gets the holiday response; a weekend the editors' weekend rule, never "closed"."""
    if message.get("response") == "utter_marriage_date_holiday":
        return
    text = message.get("text") or ""
    assert "是周末" in text
    assert get_policy().weekend.statement in text
    assert "不办公" not in text


def filled(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        s.BUSINESS_TYPE: "marriage",
        s.OFFICE: "xihu",
        s.DATE: bookable(1).isoformat(),
        s.HALF_DAY: "am",
        s.PARTY1_NAME: "张伟",
        s.PARTY1_ID: make_id(male=True),
        s.PARTY2_NAME: "李娜",
        s.PARTY2_ID: make_id(male=False),
        s.PHONE: "13812345678",
        s.CONFIRMED: None,
        "requested_slot": s.CONFIRMED,
    }
    values.update(overrides)
    return values


def md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


# ---------------------------------------------------------------- parsing


def test_business_type_words() -> None:
    assert parse_business_type("我们想领证") == "marriage"
    assert parse_business_type("预约离婚登记") == "divorce"
    assert parse_business_type("结婚证丢了想补办") == "reissue"
    assert parse_business_type("你好") is None


def test_offices_are_found_by_district_street_landmark_and_foreign_words() -> None:
    def code(text: str) -> str | None:
        found = match_office(text, OFFICES)
        return found.code if found else None

    assert code("西湖区") == "xihu"
    assert code("我在文三路附近") == "xihu"
    assert code("下沙那边") == "qiantang"
    assert code("武林广场旁边") == "gongshu"
    assert code("以前是下城区的") == "gongshu"
    assert code("我老婆是外国人") == "city"
    assert code("杭州市婚姻登记处") == "city"
    jianggan = match_office("江干", OFFICES)
    assert jianggan is not None and set(jianggan.codes) == {"shangcheng", "qiantang"}
    nearby = match_office("离我近的就行", OFFICES)
    assert nearby is not None and nearby.how == "nearby"
    assert match_office("随便", OFFICES) is None


def test_ids_and_corrections() -> None:
    valid = make_id(male=True)
    found = parse_id_answer(f"身份证号 {valid[:6]} {valid[6:14]} {valid[14:]}", today=TODAY)
    assert found is not None and found.number == valid and not found.needs_city_office
    broken = parse_id_answer(valid[:17] + ("0" if valid[17] != "0" else "1"), today=TODAY)
    assert broken is not None and broken.reason == "checksum"
    passport = parse_id_answer("护照 E12345678", today=TODAY)
    assert passport is not None and passport.kind == "passport" and passport.needs_city_office
    hk = "810000199001011234"
    hk = hk[:17] + check_digit(hk[:17])
    hk_answer = parse_id_answer(hk, today=TODAY)
    assert hk_answer is not None and hk_answer.needs_city_office
    correction = parse_correction("日期改成下周五")
    assert correction is not None and (correction.field, correction.new_text) == ("date", "下周五")
    party = parse_correction("对方名字写错了，应该是王芳")
    assert party is not None and (party.field, party.party, party.new_text) == (
        "name",
        "party2",
        "王芳",
    )
    assert parse_correction("确认") is None
    assert is_affirmation("确认") and not is_affirmation("不对")
    assert parse_half_day_answer("上午下午都行") == "either"
    assert parse_half_day_answer("下午吧") == "pm"


def test_days_are_shown_with_weekday_and_year_only_when_needed() -> None:
    day = bookable()
    shown = format_day(day, today=TODAY)
    assert shown.startswith(md(day)) and "周" in shown
    next_year = dt.date(TODAY.year + 1, 1, 4)
    assert format_day(next_year, today=TODAY).startswith(f"{TODAY.year + 1}年1月4日")


# ---------------------------------------------------------------- the booking form


def test_one_sentence_fills_business_office_date_and_half_day(api: MarriageApi) -> None:
    day = bookable(2)
    changes, messages = answer(f"我想{md(day)}上午在西湖区登记结婚", {"requested_slot": None})
    assert changes[s.BUSINESS_TYPE] == "marriage"
    assert changes[s.OFFICE] == "xihu"
    assert changes[s.DATE] == day.isoformat()
    assert changes[s.HALF_DAY] == "am"
    assert "utter_marriage_slot_full" not in responses(messages)


def test_divorce_explains_the_cooling_off_period_first(api: MarriageApi) -> None:
    changes, messages = answer("离婚登记申请", {"requested_slot": s.BUSINESS_TYPE})
    assert changes[s.BUSINESS_TYPE] == "divorce"
    [explanation] = [m for m in messages if m["response"] == "utter_marriage_divorce_cooling_off"]
    assert explanation["days"] == 30


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


def test_underage_gets_a_gentle_explanation_instead_of_a_booking(api: MarriageApi) -> None:
    slots = {
        "requested_slot": s.PARTY1_ID,
        s.BUSINESS_TYPE: "marriage",
        s.DATE: bookable().isoformat(),
    }
    changes, messages = answer(make_id(male=True, age=21), slots)
    assert changes[s.PARTY1_ID] is None
    [message] = messages
    assert message["response"] == "utter_marriage_underage"
    assert message["minimum_age"] == 22
    changes, _ = answer(make_id(male=True, age=21), {**slots, s.BUSINESS_TYPE: "reissue"})
    assert changes[s.PARTY1_ID] is not None


def test_id_errors_name_the_problem_and_passports_move_to_the_city_office(
    api: MarriageApi,
) -> None:
    slots = {"requested_slot": s.PARTY2_ID, s.BUSINESS_TYPE: "marriage", s.OFFICE: "xihu"}
    changes, messages = answer("33010619900101123", slots)
    assert changes[s.PARTY2_ID] is None
    assert responses(messages) == ["utter_marriage_id_invalid_length"]
    changes, messages = answer("E12345678", slots)
    assert unseal(changes[s.PARTY2_ID]) == "E12345678"
    assert changes[s.PARTY2_ID_KIND] == "passport"
    assert changes[s.OFFICE] == "city"
    assert "utter_marriage_city_office_only" in responses(messages)


def test_a_phone_read_out_in_chinese_digits_is_taken(api: MarriageApi) -> None:
    slots = filled(**{s.PHONE: None, s.CONFIRMED: None, "requested_slot": s.PHONE})
    changes, _ = answer("一三八一二三四五六七八", slots)
    assert changes[s.PHONE] == "13812345678"


def test_a_name_the_nlu_took_for_handoff_is_still_a_name(api: MarriageApi) -> None:
    changes, _ = answer("我叫孙悦", {"requested_slot": s.PARTY1_NAME}, intent="request_human")
    assert changes[s.PARTY1_NAME] == "孙悦"
    assert parse_business_type("补个结婚证") == "reissue"


def test_digressions_stop_and_handoff_leave_the_form_to_the_rules(api: MarriageApi) -> None:
    for text, intent in (
        ("算了不约了", "stop"),
        ("转人工", "request_human"),
        ("要带什么材料？", "ask_policy_question"),
    ):
        changes, messages = answer(text, {"requested_slot": s.PARTY1_NAME}, intent=intent)
        assert changes == {} and messages == []
    # after a side question was answered, the form does not read the question as an answer
    tracker = make_tracker(
        [
            user_event("可以周末去吗", "ask_policy_question"),
            {"event": "action", "name": "action_answer_from_knowledge"},
        ],
        slots={"requested_slot": s.DATE},
        active_loop="marriage_form",
    )
    dispatcher = CollectingDispatcher()
    assert run(form.ValidateMarriageForm().run(dispatcher, tracker, EMPTY_DOMAIN)) == []


def test_confirmation_books_and_corrections_change_one_answer(
    api: MarriageApi, factory: sessionmaker[Session]
) -> None:
    new_day = bookable(4)
    changes, _ = answer(f"日期改成{md(new_day)}", filled())
    assert changes[s.DATE] == new_day.isoformat()
    assert changes[s.CONFIRMED] is None

    changes, messages = answer("/deny", filled(), intent="deny")
    assert responses(messages) == ["utter_marriage_ask_which_field"]
    assert changes[s.CHOOSING_FIELD] is True
    dispatcher = CollectingDispatcher()
    asked = run(
        booking_actions.ActionAskMarriageConfirmed().run(
            dispatcher, make_tracker(slots={**filled(), **changes}), EMPTY_DOMAIN
        )
    )
    assert dispatcher.messages == [], "the field buttons are the question, no summary now"
    assert SlotSet(s.CHOOSING_FIELD, None) in asked
    changes, _ = answer("修改联系电话", filled())
    assert changes[s.PHONE] is None

    changes, messages = answer("/affirm", filled(), intent="affirm")
    assert changes[s.CONFIRMED] is True
    reference = changes[s.REFERENCE]
    with factory() as session:
        stored = session.scalar(select(models.MarriageBooking))
        assert stored is not None and stored.reference == reference
        assert stored.status == "booked"


def test_the_reply_after_booking_has_reference_address_and_documents(api: MarriageApi) -> None:
    slots = filled()
    changes, _ = answer("确认", slots, intent="affirm")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**slots, **changes})
    events = run(
        booking_actions.ActionCompleteMarriageBooking().run(dispatcher, tracker, EMPTY_DOMAIN)
    )
    booked, *rest = dispatcher.messages
    assert booked["response"] == "utter_marriage_booked"
    assert booked["reference"] == changes[s.REFERENCE]
    assert booked["address"] and booked["hours"]
    documents = next(m for m in rest if m["response"] == "utter_marriage_documents")
    assert "身份证" in documents["documents"] and "户口簿" not in documents["documents"]
    assert "utter_marriage_sample_office" in responses(rest)
    assert SlotSet(s.PHONE, None) in events
    assert SlotSet(s.REFERENCE, changes[s.REFERENCE]) in events


def test_the_summary_masks_personal_data(api: MarriageApi) -> None:
    slots = filled()
    dispatcher = CollectingDispatcher()
    run(
        booking_actions.ActionAskMarriageConfirmed().run(
            dispatcher, make_tracker(slots=slots), EMPTY_DOMAIN
        )
    )
    summary = dispatcher.messages[0]
    assert summary["party1_name"] == "张*"
    assert summary["party1_id"] == slots[s.PARTY1_ID][:4] + "*" * 10 + slots[s.PARTY1_ID][-4:]
    assert summary["phone"] == "138****5678"


def test_back_office_down_is_said_plainly(down: None) -> None:
    changes, messages = answer("西湖区", {"requested_slot": s.OFFICE})
    assert responses(messages) == ["utter_records_unavailable"]
    assert changes == {s.OFFICE: None}


# ---------------------------------------------------------------- check, reschedule, cancel


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


def test_an_unclassified_question_mid_form_goes_to_the_knowledge_base(api: MarriageApi) -> None:
    changes, messages = answer("可以周末去吗？", {"requested_slot": s.DATE}, intent="nlu_fallback")
    assert changes == {} and messages == []
    changes, messages = answer("可以周末去吗？", {"requested_slot": s.DATE}, intent="out_of_scope")
    assert changes == {} and messages == []
    # a business word inside a side question does not make it an answer
    changes, messages = answer(
        "领证要带什么材料？", {"requested_slot": s.DATE}, intent="ask_policy_question"
    )
    assert changes == {} and messages == []
    # but a real answer classified as a question still counts
    day = bookable(2)
    changes, _ = answer(
        f"{md(day)}可以吗？", {"requested_slot": s.DATE}, intent="ask_policy_question"
    )
    assert changes[s.DATE] == day.isoformat()
    changes, messages = answer("嗯嗯嗯", {"requested_slot": s.DATE}, intent="nlu_fallback")
    assert changes == {s.DATE: None}
    assert responses(messages) == ["utter_marriage_unclear_date"]


def test_id_numbers_stay_sealed_in_slots_and_reach_the_booking_in_clear(
    api: MarriageApi, factory: sessionmaker[Session]
) -> None:
    # The tracker store must not keep raw ID numbers: the slot holds a ciphertext only.
    number = make_id(male=False)
    changes, _ = answer(number, {"requested_slot": s.PARTY2_ID, s.BUSINESS_TYPE: "reissue"})
    assert changes[s.PARTY2_ID].startswith(SEALED_PREFIX)
    assert number not in changes[s.PARTY2_ID]
    assert unseal(changes[s.PARTY2_ID]) == number

    party1 = make_id(male=True)
    slots = filled(**{s.PARTY1_ID: seal(party1)})
    changes, _ = answer(party1, {**slots, "requested_slot": s.PARTY2_ID})
    assert changes[s.PARTY2_ID] is None, "a sealed earlier answer is still compared"

    changes, _ = answer("/affirm", slots, intent="affirm")
    assert changes[s.CONFIRMED] is True
    with factory() as session:
        stored = session.scalar(select(models.MarriageBooking))
        assert stored is not None and stored.party1_id_number == party1


# ---------------------------------------------------------------- audit fixes


DOMAIN_FILE = Path(__file__).resolve().parents[2] / "bot" / "domain" / "marriage.yml"


def placeholders_missing(message: dict[str, Any]) -> set[str]:
    """Placeholders of the uttered response that the action did not fill (Rasa would show them)."""
    with DOMAIN_FILE.open(encoding="utf-8") as handle:
        responses_ = yaml.safe_load(handle)["responses"]
    text = responses_[message["response"]][0]["text"]
    return set(re.findall(r"{(\w+)}", text)) - set(message)


def no_booking(changes: dict[str, Any]) -> bool:
    return changes.get(s.CONFIRMED) is not True and s.REFERENCE not in changes


@pytest.mark.parametrize(
    "text",
    ["确认", "确定", "对的", "是的", "没问题", "好的", "可以", "好", "嗯嗯 确认预约", "对，就这样"],
)
def test_whole_message_confirmations_book(text: str, api: MarriageApi) -> None:
    assert is_affirmation(text)
    changes, _ = answer(text, filled(), intent="affirm")
    assert changes[s.CONFIRMED] is True and changes[s.REFERENCE]


def test_traditional_confirmation_books_once_normalised(api: MarriageApi) -> None:
    text = normalise("確認", max_chars=500).text  # the gateway does this before Rasa
    assert is_affirmation(text)
    changes, _ = answer(text, filled(), intent="affirm")
    assert changes[s.CONFIRMED] is True


@pytest.mark.parametrize("text", ["可以周末去吗？", "可以带孩子吗？", "对方要到场吗", "对方叫王强"])
@pytest.mark.parametrize("intent", ["affirm", "inform_marriage_details", "nlu_fallback"])
def test_a_side_question_at_the_summary_never_books(
    text: str, intent: str, api: MarriageApi, factory: sessionmaker[Session]
) -> None:
    assert not is_affirmation(text)
    changes, _ = answer(text, filled(), intent=intent)
    assert no_booking(changes), changes
    with factory() as session:
        assert session.scalar(select(models.MarriageBooking)) is None


def test_a_question_at_the_summary_goes_to_the_knowledge_base(api: MarriageApi) -> None:
    for intent in ("ask_policy_question", "nlu_fallback"):
        changes, messages = answer("可以带孩子吗？", filled(), intent=intent)
        assert changes == {} and messages == [], "no events: the rule answers, the form resumes"
    assert (
        not is_affirmation("好吗") and not is_affirmation("不确定") and not is_affirmation("不对")
    )


def test_a_name_with_a_lead_in_is_stored_bare_and_shown_masked(api: MarriageApi) -> None:
    changes, _ = answer("我老公叫王强", {"requested_slot": s.PARTY2_NAME})
    assert changes[s.PARTY2_NAME] == "王强"
    changes, messages = answer("王小明同学", {"requested_slot": s.PARTY1_NAME})
    assert changes[s.PARTY1_NAME] is None
    assert responses(messages) == ["utter_marriage_name_invalid"]
    dispatcher = CollectingDispatcher()
    slots = filled(**{s.PARTY2_NAME: "王强"})
    run(
        booking_actions.ActionAskMarriageConfirmed().run(
            dispatcher, make_tracker(slots=slots), EMPTY_DOMAIN
        )
    )
    assert dispatcher.messages[0]["party2_name"] == "王*"


def test_phone_words_win_over_number_words_in_corrections(api: MarriageApi) -> None:
    phone = parse_correction("电话号码改成13912345678")
    assert phone is not None and (phone.field, phone.new_text) == ("phone", "13912345678")
    mobile = parse_correction("手机号码写错了")
    assert mobile is not None and mobile.field == "phone"
    contact = parse_correction("联系方式改一下")
    assert contact is not None and contact.field == "phone"
    id_card = parse_correction("身份证号码改一下")
    assert id_card is not None and id_card.field == "id"
    changes, _ = answer("电话号码改成13912345678", filled())
    assert changes[s.PHONE] == "13912345678"
    assert changes[s.CONFIRMED] is None
    assert s.PARTY1_ID not in changes and s.PARTY2_ID not in changes


def test_a_question_at_the_business_type_step_is_not_an_answer(api: MarriageApi) -> None:
    asked = {"requested_slot": s.BUSINESS_TYPE}
    for text in ("结婚要带什么材料？", "离婚需要什么手续", "补领结婚证要多少钱"):
        changes, messages = answer(text, asked, intent="ask_policy_question")
        assert changes == {} and messages == [], text
    changes, _ = answer("结婚登记可以吗？", asked, intent="ask_policy_question")
    assert changes[s.BUSINESS_TYPE] == "marriage"
    # after the knowledge base answered, the form does not read the question again
    tracker = make_tracker(
        [
            user_event("结婚要带什么材料？", "ask_policy_question"),
            {"event": "action", "name": "action_answer_from_knowledge"},
        ],
        slots=asked,
        active_loop="marriage_form",
    )
    assert run(form.ValidateMarriageForm().run(CollectingDispatcher(), tracker, EMPTY_DOMAIN)) == []


def test_the_rules_answer_a_side_question_at_any_step_of_the_form() -> None:
    rules_file = DOMAIN_FILE.parents[1] / "data" / "rules" / "marriage.yml"
    with rules_file.open(encoding="utf-8") as handle:
        rules = yaml.safe_load(handle)["rules"]
    side = [
        r
        for r in rules
        if r.get("condition") == [{"active_loop": "marriage_form"}]
        and r["steps"][0] == {"intent": "ask_policy_question"}
    ]
    # no slot condition: the rule applies whichever question the form asked (business type too)
    assert [r["steps"][1:] for r in side] == [
        [
            {"action": "action_answer_from_knowledge"},
            {"action": "marriage_form"},
            {"active_loop": "marriage_form"},
        ]
    ]


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


# ---------------------------------------------------------------- refusals and outages


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
