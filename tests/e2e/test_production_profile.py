"""The production profile end to end: PostgreSQL, Redis, two Rasa replicas, two web workers.

One conversation fills the marriage booking form while the replicas are killed and restarted
under it: the form's state lives in the shared PostgreSQL tracker store, so whichever replica
answers next carries on where the other stopped. Marked `production` (not only `e2e`): `make test`
runs it once, in `make test-production`.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from backoffice.records.marriage.bookable import bookable_days
from backoffice.records.marriage.policy import get_policy
from core.chat import conversation_id
from core.rasa_pool import HEALTH_INTERVAL_SECONDS
from testkit.chat import REPLY_TIMEOUT_SECONDS, buttons, new_sender, rows, say, texts
from testkit.stack import LiveStack
from testkit.stack_basics import latest_model
from zhtext.city_time import city_today
from zhtext.idcard import check_digit

pytestmark = [pytest.mark.e2e, pytest.mark.production]

MODEL = "assistant.tar.gz"
REFERENCE = re.compile(r"HY-\d{8}-\d{4}")


@pytest.fixture(scope="module")
def stack() -> Iterator[LiveStack]:
    model = latest_model().parent / MODEL
    with LiveStack.start(
        model=model if model.exists() else None, profile="production", rasa_replicas=2
    ) as production:
        yield production


def make_id(*, male: bool, sequence: int) -> str:
    if (sequence % 2 == 1) != male:
        sequence += 1
    first17 = f"330106{city_today().year - 30}0612{sequence:03d}"
    return first17 + check_digit(first17)


def first_bookable_day() -> dt.date:
    return bookable_days(today=city_today(), window=get_policy().booking_window)[1].day


def tracker_events(stack: LiveStack, sender: str) -> list[dict[str, object]]:
    """Rasa's events of the web conversation `sender`, from the PostgreSQL tracker store."""
    assert stack.backends is not None
    engine = create_engine(stack.backends.tracker_database_url)
    try:
        with engine.connect() as connection:
            result = connection.execute(
                text("SELECT type_name, intent_name, action_name FROM events WHERE sender_id = :s"),
                {"s": conversation_id("web", sender)},
            )
            return [dict(row._mapping) for row in result]
    finally:
        engine.dispose()


def wait_for_health_checks() -> None:
    """Long enough for every web worker's background check to see a replica's new state."""
    time.sleep(HEALTH_INTERVAL_SECONDS * 2 + 1)


def test_a_form_survives_replicas_going_down_and_coming_back(stack: LiveStack) -> None:
    assert stack.process_names == ["rasa-0", "rasa-1", "actions", "web-0", "web-1"]
    assert len(stack.rasa_urls) == 2
    sender = new_sender("e2e-production")
    day = first_bookable_day()
    groom, bride = make_id(male=True, sequence=301), make_id(male=False, sequence=302)

    assert "智能助手" in texts(say(stack, sender, "你好"))
    assert "登记处" in texts(say(stack, sender, "我想预约结婚登记"))
    assert "哪一天" in texts(say(stack, sender, "西湖区"))
    assert "您本人的姓名" in texts(say(stack, sender, f"{day.month}月{day.day}号上午"))

    # Every turn so far is in the shared PostgreSQL tracker store.
    events = tracker_events(stack, sender)
    user_turns = [e for e in events if e["type_name"] == "user"]
    assert len(user_turns) == 4, events
    assert any(e["action_name"] == "marriage_form" for e in events), events

    # One replica dies mid-form: the next answers come from the other one, form state intact.
    stack.stop_process("rasa-0")
    assert "身份证" in texts(say(stack, sender, "张伟"))
    assert "对方的姓名" in texts(say(stack, sender, groom))
    assert "对方" in texts(say(stack, sender, "李娜"))

    # It comes back and is taken into rotation again: with the other replica down now, it alone
    # carries the conversation on.
    stack.start_process("rasa-0")
    stack.wait_until_ready(("rasa-0",))
    wait_for_health_checks()
    stack.stop_process("rasa-1")
    assert "联系电话" in texts(say(stack, sender, bride))
    summary = say(stack, sender, "13812345678")
    assert "请核对预约信息" in texts(summary), texts(summary)
    booked = texts(say(stack, sender, buttons(summary)["确认预约"]))
    assert "预约成功" in booked, booked
    found = REFERENCE.search(booked)
    assert found, booked
    saved = rows(
        stack,
        "SELECT day, half_day, status FROM marriage_bookings WHERE reference = :r",
        r=found.group(0),
    )
    assert saved == [{"day": day, "half_day": "am", "status": "booked"}]
    assert len([e for e in tracker_events(stack, sender) if e["type_name"] == "user"]) == 10

    # Both replicas down: the citizen gets the Chinese "unavailable" answer with the hotline.
    stack.stop_process("rasa-0")
    response = httpx.post(
        f"{stack.web_url}/api/chat",
        json={"sender": sender, "message": "你好"},
        timeout=REPLY_TIMEOUT_SECONDS,
    )
    assert response.status_code == 503
    assert "12345" in response.text
    health = httpx.get(f"{stack.web_url}/api/chat/health", timeout=REPLY_TIMEOUT_SECONDS)
    assert health.json()["available"] is False
