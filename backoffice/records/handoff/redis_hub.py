"""Wake-ups shared by every web process through Redis pub/sub (production profile).

`notify` wakes the streams of this process at once (as the in-process `EventHub` does) and
publishes the topics on a Redis channel; every other process listening on that channel wakes its
own streams. If Redis is unreachable nothing breaks: streams still re-read the database every
few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid

from redis.asyncio import Redis
from redis.exceptions import RedisError

from backoffice.records.handoff.events import EventHub

logger = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0
SUBSCRIBE_WAIT_SECONDS = 1.0


def events_channel(key_prefix: str) -> str:
    """The Redis channel of one deployment's wake-ups."""
    return f"{key_prefix}:handoff-events"


class RedisEventHub(EventHub):
    """An `EventHub` whose notifications reach every process subscribed to `channel`.

    Args:
        redis_url: Redis server, e.g. `redis://127.0.0.1:6379/0`.
        channel: Pub/sub channel shared by the processes of one deployment.
    """

    def __init__(self, redis_url: str, *, channel: str) -> None:
        super().__init__()
        self.channel = channel
        self._origin = uuid.uuid4().hex
        self._redis: Redis = Redis.from_url(redis_url)
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._publishing: set[asyncio.Task[None]] = set()

    def notify(self, *topics: str) -> None:
        """Wake this process's streams now and publish `topics` to the other processes."""
        super().notify(*topics)
        if not topics:
            return
        self._ensure_listener()
        task = asyncio.get_running_loop().create_task(self._publish(topics))
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def wait(self, topic: str, *, since: int, timeout: float) -> bool:
        """As `EventHub.wait`, woken also by other processes' notifications."""
        await self.start()
        return await super().wait(topic, since=since, timeout=timeout)

    async def start(self) -> None:
        """Subscribe to the channel (waits up to a second for the subscription)."""
        self._ensure_listener()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), SUBSCRIBE_WAIT_SECONDS)

    async def aclose(self) -> None:
        """Stop listening, finish pending publications and close the connections."""
        if self._publishing:
            await asyncio.gather(*self._publishing, return_exceptions=True)
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        await self._redis.aclose()

    def _ensure_listener(self) -> None:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.get_running_loop().create_task(
                self._listen(), name="handoff-events-listener"
            )

    async def _publish(self, topics: tuple[str, ...]) -> None:
        payload = json.dumps({"origin": self._origin, "topics": list(topics)})
        try:
            await self._redis.publish(self.channel, payload)
        except RedisError as error:
            logger.warning("could not publish %s on Redis: %s", topics, error)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._subscribed.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._receive(message["data"])
            except (RedisError, OSError) as error:
                logger.warning("Redis events channel lost (%s); retrying", error)
            self._subscribed.clear()
            await asyncio.sleep(RECONNECT_SECONDS)

    def _receive(self, data: bytes | str) -> None:
        try:
            body = json.loads(data)
            origin, topics = body["origin"], body["topics"]
        except (ValueError, KeyError, TypeError):
            logger.warning("ignoring a malformed event on %s", self.channel)
            return
        if origin == self._origin or not isinstance(topics, list):
            return
        super().notify(*(str(topic) for topic in topics))


def build_hub(redis_url: str, key_prefix: str) -> EventHub:
    """The hub of a web process: shared through Redis when `redis_url` is set, else in-process."""
    if redis_url:
        return RedisEventHub(redis_url, channel=events_channel(key_prefix))
    return EventHub()
