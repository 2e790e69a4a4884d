"""Server-Sent Events: the citizen's desk messages, a ticket's messages, the queue.

Each stream polls the database, is woken early by the `EventHub`, sends a keep-alive comment
when quiet, and ends after `STREAM_MAX_SECONDS` (the browser reconnects with Last-Event-ID).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from backoffice.records.handoff import mapping, message_store
from backoffice.records.handoff.delivery import QUEUE_TOPIC, conversation_topic, ticket_topic
from backoffice.records.handoff.desk.context import DeskContext
from backoffice.records.handoff.desk.encoding import event_data, message_json, outbound
from backoffice.records.handoff.desk.queue_positions import QueuePositions

STREAM_POLL_SECONDS = 5.0
KEEPALIVE_EVERY = 3  # polls without news before a keep-alive comment
STREAM_MAX_SECONDS = 300.0  # then the browser reconnects (with Last-Event-ID): bounded shutdowns

Fetch = Callable[[int], Awaitable[list[tuple[int, str]]]]


class DeskStreams:
    """The desk's live streams."""

    def __init__(self, context: DeskContext, queue: QueuePositions) -> None:
        self._context = context
        self._queue = queue

    async def citizen_stream(
        self, *, conversation_id: str, last_event_id: int | None
    ) -> AsyncIterator[str]:
        """Server-Sent Events of the desk's messages for one conversation's citizen."""
        run_db = self._context.run_db
        after = last_event_id
        if after is None:
            after = await run_db(lambda s: message_store.latest_message_id(session=s))
        yield f"retry: 2000\nid: {after}\n\n"

        async def fetch(last: int) -> list[tuple[int, str]]:
            rows = await run_db(
                lambda s: message_store.citizen_outbox(
                    session=s, conversation_id=conversation_id, after_id=last
                )
            )
            return [(row.id, event_data(outbound(row).to_event())) for row in rows]

        async for chunk in self._stream(conversation_topic(conversation_id), after, fetch):
            yield chunk

    async def ticket_stream(self, *, ticket_id: int, last_event_id: int) -> AsyncIterator[str]:
        """Server-Sent Events of a ticket's new messages (staff view, notes included)."""
        yield f"retry: 2000\nid: {last_event_id}\n\n"

        async def fetch(last: int) -> list[tuple[int, str]]:
            rows = await self._context.run_db(
                lambda s: message_store.ticket_messages(
                    session=s, ticket_id=ticket_id, after_id=last
                )
            )
            return [(row.id, event_data(message_json(row))) for row in rows]

        async for chunk in self._stream(ticket_topic(ticket_id), last_event_id, fetch):
            yield chunk

    async def queue_stream(self) -> AsyncIterator[str]:
        """Server-Sent Events of the queue: a full snapshot whenever it changes."""
        hub = self._context.hub
        yield "retry: 2000\n\n"
        last = ""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_MAX_SECONDS
        quiet = 0
        while loop.time() < deadline:
            version = hub.version(QUEUE_TOPIC)
            snapshot = await self._context.run_db(
                lambda s: mapping.queue_snapshot_out(self._queue.snapshot(s)).model_dump_json()
            )
            if snapshot != last:
                last = snapshot
                quiet = 0
                yield f"event: queue\ndata: {snapshot}\n\n"
            else:
                quiet += 1
                if quiet % KEEPALIVE_EVERY == 0:
                    yield ": keep-alive\n\n"
            # Waiting times grow by themselves: refresh at least every poll.
            await hub.wait(QUEUE_TOPIC, since=version, timeout=STREAM_POLL_SECONDS)

    async def _stream(self, topic: str, after: int, fetch: Fetch) -> AsyncIterator[str]:
        hub = self._context.hub
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_MAX_SECONDS
        quiet = 0
        while loop.time() < deadline:
            version = hub.version(topic)
            rows = await fetch(after)
            for message_id, data in rows:
                after = message_id
                yield f"id: {message_id}\ndata: {data}\n\n"
            quiet = 0 if rows else quiet + 1
            if quiet and quiet % KEEPALIVE_EVERY == 0:
                yield ": keep-alive\n\n"
            await hub.wait(topic, since=version, timeout=STREAM_POLL_SECONDS)
