"""Database-backed stores of the connector (tables of backoffice/records/telegram)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import utcnow
from backoffice.records.telegram import service
from backoffice.records.telegram.models import RELAY_FAILED, RELAY_SENT
from connectors.telegram.relay import DeskMessage
from connectors.telegram.sending import FailedSend

CHANNEL = "tg"
# On start the relay also sends desk messages it missed within this window (a restart).
LOOKBACK = dt.timedelta(hours=1)


class DbPayloadStore:
    """Long button payloads in `telegram_callback_payloads`, valid for `ttl`."""

    def __init__(self, session_factory: sessionmaker[Session], ttl: dt.timedelta) -> None:
        self._sessions = session_factory
        self._ttl = ttl

    async def save(self, key: str, payload: str) -> None:
        """Store `payload` under `key`."""

        def work() -> None:
            with self._sessions() as session:
                service.save_callback_payload(session=session, key=key, payload=payload)

        await asyncio.to_thread(work)

    async def load(self, key: str) -> str | None:
        """The payload under `key` unless expired."""

        def work() -> str | None:
            with self._sessions() as session:
                return service.load_callback_payload(session=session, key=key, max_age=self._ttl)

        return await asyncio.to_thread(work)

    async def purge(self) -> int:
        """Delete expired payloads."""

        def work() -> int:
            with self._sessions() as session:
                return service.purge_callback_payloads(session=session, max_age=self._ttl)

        return await asyncio.to_thread(work)


class DbFailedSendLog:
    """Failed outgoing messages in `telegram_failed_sends`."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    async def record(self, failure: FailedSend) -> None:
        """Keep `failure`."""

        def work() -> None:
            with self._sessions() as session:
                service.record_failed_send(
                    session=session,
                    chat_id=failure.chat_id,
                    text=failure.text,
                    reply_markup=failure.reply_markup,
                    error=failure.error,
                    attempts=failure.attempts,
                )

        await asyncio.to_thread(work)


class DbDeskOutbox:
    """The handoff desk's stored messages for Telegram citizens."""

    def __init__(
        self, session_factory: sessionmaker[Session], since: dt.datetime | None = None
    ) -> None:
        self._sessions = session_factory
        self._since = since or utcnow() - LOOKBACK

    async def pending(self) -> list[DeskMessage]:
        """Messages not relayed yet, oldest first."""

        def work() -> list[DeskMessage]:
            with self._sessions() as session:
                rows = service.pending_desk_messages(
                    session=session, channel=CHANNEL, since=self._since
                )
                return [
                    DeskMessage(
                        id=row.id,
                        chat_id=sender,
                        kind=row.kind,
                        text=row.text,
                        buttons=list(row.buttons or []),
                        staff_name=row.staff_name,
                    )
                    for row, sender in rows
                ]

        return await asyncio.to_thread(work)

    async def claim(self, message_id: int) -> bool:
        """Take a message for sending."""

        def work() -> bool:
            with self._sessions() as session:
                return service.claim_desk_message(session=session, message_id=message_id)

        return await asyncio.to_thread(work)

    async def finish(self, message_id: int, *, sent: bool) -> None:
        """Record the outcome."""

        def work() -> None:
            with self._sessions() as session:
                service.finish_desk_message(
                    session=session,
                    message_id=message_id,
                    status=RELAY_SENT if sent else RELAY_FAILED,
                )

        await asyncio.to_thread(work)
