"""Live-stream wake-ups across web processes through Redis pub/sub (production profile)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from backoffice.records.handoff.events import EventHub
from backoffice.records.handoff.redis_hub import RedisEventHub, build_hub, events_channel
from testkit.redis_server import fresh_redis_prefix


@pytest.fixture
def redis_target() -> Iterator[tuple[str, str]]:
    with fresh_redis_prefix() as target:
        yield target


def two_workers(url: str, prefix: str) -> tuple[RedisEventHub, RedisEventHub]:
    channel = events_channel(prefix)
    return RedisEventHub(url, channel=channel), RedisEventHub(url, channel=channel)


@pytest.mark.production
async def test_a_notification_wakes_the_other_worker_at_once(
    redis_target: tuple[str, str],
) -> None:
    first, second = two_workers(*redis_target)
    await second.start()
    since = second.version("ticket:7")
    waiting = asyncio.create_task(second.wait("ticket:7", since=since, timeout=5.0))
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    first.notify("ticket:7", "queue")
    assert await waiting is True
    assert loop.time() - started < 1.0
    assert second.version("ticket:7") == since + 1
    assert second.version("queue") == 1
    await first.aclose()
    await second.aclose()


@pytest.mark.production
async def test_own_notifications_are_counted_once(redis_target: tuple[str, str]) -> None:
    first, second = two_workers(*redis_target)
    await first.start()
    await second.start()
    first.notify("queue")
    first.notify("queue")
    await asyncio.sleep(0.3)
    assert first.version("queue") == 2
    assert second.version("queue") == 2
    await first.aclose()
    await second.aclose()


@pytest.mark.production
async def test_other_deployments_on_the_same_redis_do_not_wake_us(
    redis_target: tuple[str, str],
) -> None:
    url, prefix = redis_target
    ours = RedisEventHub(url, channel=events_channel(prefix))
    theirs = RedisEventHub(url, channel=events_channel(prefix + "other"))
    await ours.start()
    await theirs.start()
    theirs.notify("queue")
    assert await ours.wait("queue", since=0, timeout=0.5) is False
    assert ours.version("queue") == 0
    await ours.aclose()
    await theirs.aclose()


async def test_without_redis_the_local_streams_still_wake() -> None:
    # Nothing listens on port 1: publishing fails quietly, the local wake-up still happens.
    hub = RedisEventHub("redis://127.0.0.1:1/0", channel="nowhere")
    waiting = asyncio.create_task(hub.wait("queue", since=0, timeout=5.0))
    await asyncio.sleep(0.05)
    hub.notify("queue")
    assert await waiting is True
    await hub.aclose()


def test_build_hub_is_in_process_without_a_redis_url() -> None:
    assert type(build_hub("", "minzheng")) is EventHub
    assert isinstance(build_hub("redis://127.0.0.1:6379/0", "minzheng"), RedisEventHub)
