"""Webhook mode inside the real web app (web.main.create_app): secret check, routing, wiring."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from core.messages import message
from testkit.stack_basics import free_port
from tests.connectors.telegram.conftest import CHAT, migrated_database, telegram_settings
from tests.connectors.telegram.fake_telegram import FakeTelegram
from web.main import create_app

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def test_web_app_in_webhook_mode_answers_through_telegram(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens: the assistant is down
    settings = telegram_settings(
        fake,
        telegram_mode="webhook",
        database_url=migrated_database(tmp_path),
        rasa_url=down,
        action_server_url=down,
        rasa_timeout_seconds=2,
    )
    update = fake.make_text_update(CHAT, "你好")
    update["update_id"] = 5
    with TestClient(create_app(settings)) as client:
        assert fake.commands  # the command menu was set at start-up
        refused = client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: "x"})
        assert refused.status_code == 403
        accepted = client.post(
            "/telegram/webhook", json=update, headers={SECRET_HEADER: "s3cret-token_ok"}
        )
        assert accepted.status_code == 200
        fake.wait_for(lambda: bool(fake.sent_to(CHAT)), timeout=15)
    assert fake.sent_to(CHAT)[0].visible_text == message("service_unavailable")


def test_without_a_token_there_is_no_telegram(fake: FakeTelegram, tmp_path: Path) -> None:
    settings = telegram_settings(
        fake, telegram_bot_token="", database_url=migrated_database(tmp_path)
    )
    with TestClient(create_app(settings)) as client:
        response = client.post("/telegram/webhook", json={"update_id": 1})
        assert response.status_code == 404
    assert fake.calls == []
