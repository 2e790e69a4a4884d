"""The connector's database stores on a migrated SQLite database (tables of telegram_0001)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import make_engine
from backoffice.records.handoff.models import HandoffMessage, HandoffTicket
from backoffice.records.telegram import service
from backoffice.records.telegram.models import TelegramCallbackPayload, TelegramRelayedMessage
from connectors.telegram.__main__ import set_webhook
from connectors.telegram.callbacks import CallbackCodec
from connectors.telegram.sending import FailedSend
from connectors.telegram.storage import DbDeskOutbox, DbFailedSendLog, DbPayloadStore
from tests.connectors.telegram.conftest import migrated_database, telegram_settings
from tests.connectors.telegram.fake_telegram import FakeTelegram


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return sessionmaker(bind=make_engine(migrated_database(tmp_path)), expire_on_commit=False)


async def test_long_payload_survives_a_restart_and_expires(
    sessions: sessionmaker[Session],
) -> None:
    payload = '/choose_facility{"facility_id": 17, "name": "西湖区某某街道老年食堂（助餐点）"}'
    key = await CallbackCodec(DbPayloadStore(sessions, dt.timedelta(days=30))).encode(payload)
    fresh = CallbackCodec(DbPayloadStore(sessions, dt.timedelta(days=30)))
    assert await fresh.decode(key) == payload
    with sessions() as session:
        row = session.get(TelegramCallbackPayload, key)
        assert row is not None
        row.created_at -= dt.timedelta(days=31)
        session.commit()
    store = DbPayloadStore(sessions, dt.timedelta(days=30))
    assert await CallbackCodec(store).decode(key) is None
    assert await store.purge() == 1


async def test_failed_send_is_kept_in_the_table(sessions: sessionmaker[Session]) -> None:
    await DbFailedSendLog(sessions).record(
        FailedSend(
            chat_id="42", text="您好", reply_markup={"inline_keyboard": []},
            error="Internal Server Error", attempts=4,
        )
    )  # fmt: skip
    with sessions() as session:
        rows = service.failed_sends(session=session)
    assert [(r.chat_id, r.text, r.attempts, r.status) for r in rows] == [
        ("42", "您好", 4, "failed")
    ]


def _ticket(session: Session, channel: str, sender: str) -> HandoffTicket:
    ticket = HandoffTicket(
        conversation_id=f"{channel}-{sender}", open_conversation_id=f"{channel}-{sender}",
        channel=channel, sender=sender, reason="request", summary={},
    )  # fmt: skip
    session.add(ticket)
    session.commit()
    return ticket


async def test_desk_outbox_lists_telegram_messages_for_citizens_once(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        tg = _ticket(session, "tg", "42")
        web = _ticket(session, "web", "abcdefgh")
        session.add_all(
            [
                HandoffMessage(ticket_id=tg.id, conversation_id="tg-42", kind="citizen",
                               text="我要人工", push_to_citizen=False),
                HandoffMessage(ticket_id=tg.id, conversation_id="tg-42", kind="staff",
                               text="您好", staff_name="小王", push_to_citizen=True),
                HandoffMessage(ticket_id=web.id, conversation_id="web-abcdefgh", kind="staff",
                               text="网页", push_to_citizen=True),
            ]
        )  # fmt: skip
        session.commit()
    outbox = DbDeskOutbox(sessions)
    pending = await outbox.pending()
    assert [(m.chat_id, m.kind, m.text, m.staff_name) for m in pending] == [
        ("42", "staff", "您好", "小王")
    ]
    assert await outbox.claim(pending[0].id)
    assert not await DbDeskOutbox(sessions).claim(pending[0].id)  # another process
    await outbox.finish(pending[0].id, sent=True)
    assert await outbox.pending() == []
    with sessions() as session:
        row = session.get(TelegramRelayedMessage, pending[0].id)
        assert row is not None and row.status == "sent"


async def test_set_webhook_registers_url_secret_and_commands(fake: FakeTelegram) -> None:
    await set_webhook(telegram_settings(fake))
    assert fake.webhook["url"] == "https://example.test/telegram/webhook"
    assert fake.webhook["secret_token"] == "s3cret-token_ok"
    assert fake.webhook["allowed_updates"] == ["message", "callback_query"]
    assert [c["command"] for c in fake.commands] == ["start", "help", "restart", "human"]
