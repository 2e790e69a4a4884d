"""End to end: the fake Telegram server, the real polling worker, and the live stack.

A citizen says "你好" on Telegram and gets the assistant's greeting with an inline keyboard;
then asks for a person with /human, a staff member claims the ticket and replies through the
handoff API, and the reply reaches the Telegram chat; the citizen's next message reaches the
ticket (the staff console).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.settings import PROJECT_ROOT
from testkit.stack import LiveStack
from testkit.stack_basics import APP_PYTHON
from tests.connectors.telegram.fake_telegram import TOKEN, FakeTelegram

pytestmark = pytest.mark.e2e

CHAT = 880011
STAFF = {"username": "agent1", "password": "dev-agent1-pass"}  # embedded seed (seed_staff.yml)


@pytest.fixture
def worker(live_stack: LiveStack, fake: FakeTelegram, tmp_path: Path) -> Iterator[Path]:
    """`python -m connectors.telegram` (polling) against the fake server and the live stack."""
    env = live_stack.environment() | {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_MODE": "polling",
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_FILE_URL": fake.file_url,
        "TELEGRAM_RETRY_BASE_SECONDS": "0.1",
    }
    log_path = tmp_path / "telegram.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(APP_PYTHON), "-m", "connectors.telegram"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            fake.wait_for(lambda: bool(fake.calls_of("getUpdates")), timeout=60)
            yield log_path
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_greeting_with_keyboard_and_a_handover_round_trip(
    live_stack: LiveStack, fake: FakeTelegram, worker: Path
) -> None:
    fake.push_text(CHAT, "你好")
    fake.wait_for(lambda: bool(fake.sent_to(CHAT)), timeout=60)
    greeting = fake.sent_to(CHAT)[0]
    assert "智能助手" in greeting.visible_text, worker.read_text()
    assert ("婚姻登记预约", "/request_marriage_booking") in greeting.buttons

    with httpx.Client(base_url=live_stack.web_url, timeout=30) as staff:
        assert staff.post("/api/handoff/login", json=STAFF).status_code == 200
        assert staff.post("/api/handoff/duty", json={"on": True}).status_code == 200  # any hour

        before = len(fake.sent_to(CHAT))
        fake.push_text(CHAT, "/human")
        fake.wait_for(lambda: len(fake.sent_to(CHAT)) > before, timeout=60)
        queue = staff.get("/api/handoff/queue").json()
        ticket = next(t for t in queue["tickets"] if t["conversation_id"] == f"tg-{CHAT}")

        assert staff.post(f"/api/handoff/tickets/{ticket['id']}/claim").status_code == 200
        reply = staff.post(
            f"/api/handoff/tickets/{ticket['id']}/reply",
            json={"text": "您好，我是小王，请问有什么可以帮您？<急>"},
        )
        assert reply.status_code == 200, reply.text
        fake.wait_for(
            lambda: any("我是小王" in m.visible_text for m in fake.sent_to(CHAT)), timeout=15
        )
        texts = [m.visible_text for m in fake.sent_to(CHAT)]
        assert "人工客服 小王：您好，我是小王，请问有什么可以帮您？<急>" in texts
        assert any("小王" in t and "接入" in t for t in texts)  # the desk's "joined" notice

        fake.push_text(CHAT, "我想问问低保怎么申请")
        fake.wait_for(
            lambda: any(
                m["text"] == "我想问问低保怎么申请"
                for m in staff.get(f"/api/handoff/tickets/{ticket['id']}").json()["messages"]
            ),
            timeout=30,
        )
        # Not the bot speaking: a short line says the message reached the staff member.
        fake.wait_for(
            lambda: any(m.visible_text == "已送达人工客服 小王" for m in fake.sent_to(CHAT)),
            timeout=15,
        )
