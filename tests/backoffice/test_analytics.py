"""Every analytics figure on a fixed day with known answers (testkit/analytics_fixture)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from backoffice.analytics.catalogue import catalogue
from backoffice.analytics.facts import Period, load_facts
from backoffice.analytics.metrics import Table, compute
from backoffice.analytics.service import table_csv
from testkit.analytics_fixture import seed_day

DAY = dt.date(2026, 11, 10)
NOW = dt.datetime(2026, 11, 12, 3, 0)


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'rasa_tracker.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def tables(session: Session, tracker: Engine) -> dict[str, Table]:
    seed_day(session, tracker, DAY)
    facts = load_facts(
        session=session, tracker=tracker, period=Period(DAY, DAY), catalogue=catalogue(), now=NOW
    )
    return compute(facts, catalogue())


def figures(table: Table) -> dict[str, Any]:
    return {row["key"]: row["value"] for row in table.rows}


def keyed(table: Table) -> dict[str, dict[str, Any]]:
    return {str(row["key"]): row for row in table.rows}


def test_the_conversation_figures_of_the_day(tables: dict[str, Table]) -> None:
    assert figures(tables["overview"]) == {
        # web-a twice (two sessions), web-b, wechat-c, web-d, telegram-e, web-g (ticket only),
        # web-h, telegram-i (call-back only)
        "conversations": 9,
        "contained": 5,
        "contained_rate": 0.5556,
        "handoffs": 2,
        "handoff_rate": 0.2222,
        "callbacks": 2,
        "abandoned": 1,
        "abandonment_rate": 0.1111,
        "starts": 3,
        "completions": 2,
        "completion_rate": 0.6667,
        "typed_turns": 9,
        "fallback_turns": 2,
        "fallback_rate": 0.2222,
        "knowledge_answers": 1,
        "helpful": 1,
        "not_helpful": 1,
        "helpful_rate": 0.5,
    }


def test_per_service_funnel(tables: dict[str, Table]) -> None:
    services = keyed(tables["services"])
    marriage = {k: services["marriage"][k] for k in ("conversations", "starts", "completions")}
    assert marriage == {"conversations": 2, "starts": 2, "completions": 1}
    assert services["marriage"]["abandoned"] == 1
    assert services["marriage"]["completion_rate"] == 0.5
    assert services["prescreen"]["completions"] == 1
    assert services["eldercare"]["starts"] == 0
    assert services["eldercare"]["completion_rate"] is None
    assert services["knowledge"]["conversations"] == 1
    assert services["other"]["conversations"] == 5
    assert services["other"]["handoffs"] == 2


def test_per_channel(tables: dict[str, Table]) -> None:
    channels = keyed(tables["channels"])
    assert {k: v["conversations"] for k, v in channels.items()} == {
        "telegram": 2,
        "web": 6,
        "wechat": 1,
    }
    assert channels["web"]["handoff_rate"] == 0.3333
    assert channels["web"]["fallback_rate"] == round(2 / 7, 4)
    assert channels["telegram"]["contained_rate"] == 0.0
    assert channels["wechat"]["not_helpful"] == 1
    assert channels["wechat"]["knowledge_answers"] == 1


def test_daily_trend_and_handoff_reasons(tables: dict[str, Table]) -> None:
    assert tables["daily"].rows == [
        {"day": "2026-11-10", "conversations": 9, "contained": 5, "handoffs": 2, "completions": 2}
    ]
    reasons = {row["key"]: row["tickets"] for row in tables["handoff_reasons"].rows}
    assert reasons == {"bot_failed": 1, "crisis": 1}


def test_staff_figures(tables: dict[str, Table]) -> None:
    assert figures(tables["staff"]) == {
        "tickets": 2,
        "answered_tickets": 2,
        "first_reply_median": 90,
        "close_median": 600,
        "tickets_per_agent": 1.0,
        "callback_requests": 2,
        "callbacks_done": 2,
        "callbacks_on_time": 1,
        "callbacks_on_time_rate": 0.5,
    }
    agents = {row["agent"]: row for row in tables["agents"].rows}
    assert agents["甲（fx_agent1）"]["first_reply_median"] == 120
    assert agents["乙（fx_agent2）"]["close_median"] is None


def test_unanswered_questions_grouped(tables: dict[str, Table]) -> None:
    rows = tables["unanswered"].rows
    assert [(row["question"], row["count"]) for row in rows] == [
        ("老年卡在哪里办", 3),
        ("殡葬补贴有多少", 1),
    ]
    assert rows[0]["variants"] == "老年卡在哪里办理"


def test_articles_feedback(tables: dict[str, Table]) -> None:
    assert tables["articles"].rows == [
        {"article": "marriage-annulment", "helpful": 0, "not_helpful": 1},
        {"article": "marriage-booking", "helpful": 1, "not_helpful": 0},
    ]


def test_a_day_outside_has_nothing(session: Session, tracker: Engine) -> None:
    seed_day(session, tracker, DAY)
    other = DAY + dt.timedelta(days=3)
    facts = load_facts(
        session=session,
        tracker=tracker,
        period=Period(other, other),
        catalogue=catalogue(),
        now=NOW,
    )
    assert figures(compute(facts, catalogue())["overview"])["conversations"] == 0


def test_every_table_has_a_chinese_csv(tables: dict[str, Table]) -> None:
    text = table_csv(tables["overview"])
    assert text.startswith("\ufeff指标,数值,定义")
    assert "自助解决率,0.5556," in text
    for table in tables.values():
        header = table_csv(table).splitlines()[0]
        assert all(ord(c) > 127 or c in ",（）\ufeff" for c in header.replace(" ", "")), header
