"""The gateway refuses messages while the action server is down (action_server_watch.py)."""

from __future__ import annotations

import json

import httpx
import pytest

from connectors.action_server_watch import DOWN_AFTER_FAILED_CHECKS, ActionServerWatch
from connectors.rasa_client import AssistantUnavailableError, RasaClient


class FakeServers:
    """Rasa answers a form's opening line; the action server is "up", "refused" or "slow"."""

    def __init__(self) -> None:
        self.actions = "up"
        self.sent: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "actions":
            if self.actions == "refused":
                raise httpx.ConnectError("connection refused", request=request)
            if self.actions == "slow":
                raise httpx.ReadTimeout("timed out", request=request)
            return httpx.Response(200, json={"status": "ok"})
        self.sent.append(json.loads(request.content)["message"])
        return httpx.Response(200, json=[{"text": "好的，我们来预约婚姻登记。"}])


def watch_for(fake: FakeServers) -> ActionServerWatch:
    return ActionServerWatch(
        "http://actions/health", httpx.AsyncClient(transport=httpx.MockTransport(fake))
    )


async def test_a_refused_connection_marks_the_action_server_down_at_once() -> None:
    fake = FakeServers()
    watch = watch_for(fake)
    assert await watch.check() and not watch.down
    fake.actions = "refused"
    assert not await watch.check()
    assert watch.down


async def test_a_slow_action_server_is_down_only_after_several_failed_checks() -> None:
    fake = FakeServers()
    fake.actions = "slow"
    watch = watch_for(fake)
    for _ in range(DOWN_AFTER_FAILED_CHECKS - 1):
        await watch.check()
        assert not watch.down
    await watch.check()
    assert watch.down


async def test_one_passing_check_brings_it_back() -> None:
    fake = FakeServers()
    fake.actions = "refused"
    watch = watch_for(fake)
    await watch.check()
    fake.actions = "up"
    await watch.check()
    assert not watch.down


async def test_no_message_reaches_rasa_while_the_action_server_is_down() -> None:
    fake = FakeServers()
    client = RasaClient(
        rasa_url="http://rasa",
        action_server_url="http://actions",
        timeout=5,
        transport=httpx.MockTransport(fake),
        watch_action_server=True,
    )
    try:
        assert [m.text for m in await client.send(sender_id="web-a", text="预约结婚")] == [
            "好的，我们来预约婚姻登记。"
        ]
        fake.actions = "refused"
        assert client._watch is not None
        await client._watch.check()  # what the background check does every 2 s
        with pytest.raises(AssistantUnavailableError):
            await client.send(sender_id="web-a", text="预约结婚")
        assert fake.sent == ["预约结婚"]  # the second message was never half handled by Rasa
    finally:
        await client.aclose()


async def test_without_the_watch_the_client_sends_as_before() -> None:
    fake = FakeServers()
    fake.actions = "refused"
    client = RasaClient(
        rasa_url="http://rasa",
        action_server_url="http://actions",
        timeout=5,
        transport=httpx.MockTransport(fake),
    )
    try:
        await client.send(sender_id="web-a", text="你好")
        assert fake.sent == ["你好"]
    finally:
        await client.aclose()
