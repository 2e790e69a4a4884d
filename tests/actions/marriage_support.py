"""Shared pieces of the marriage action tests: the real back office in-process, helpers.

The back office is reached through `httpx.MockTransport`, whose handler forwards each request to
the FastAPI router with a fresh SQLite database, so refusals (full half-days, wrong proofs) are the
real ones. Dates are computed from today. The test modules import the fixtures as `api as api`
(and so on): pytest finds them in the module, and the alias tells ruff they are meant to be there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session, sessionmaker

from actions.clients.backoffice import BackofficeTransport
from actions.clients.marriage import MarriageApi
from actions.marriage import booking as booking_actions
from actions.marriage import common as s
from actions.marriage import form, manage
from backoffice.db import Base, make_engine
from backoffice.lookup_guard import get_lookup_guard
from backoffice.records.marriage.bookable import bookable_days
from backoffice.records.marriage.policy import get_policy
from backoffice.records.marriage.router import router
from backoffice.records.marriage.seed import seed
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event
from tests.backoffice.router_client import router_app
from tests.service_token import SERVICE_HEADERS
from zhtext.city_time import city_today
from zhtext.idcard import check_digit

TODAY = city_today()


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

    backoffice = router_app(factory, router)
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


DOMAIN_FILE = Path(__file__).resolve().parents[2] / "bot" / "domain" / "marriage.yml"
