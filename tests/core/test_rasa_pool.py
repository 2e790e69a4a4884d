"""Load balancing and failover over several Rasa replicas (core/rasa_pool.py)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from collections import Counter
from collections.abc import Callable

import httpx
import pytest

from backoffice.records.handoff.rasa_control import RasaControl, RasaControlError
from connectors.rasa_client import AssistantUnavailableError, RasaClient
from core.rasa_pool import DOWN_AFTER_FAILED_CHECKS, RasaPool, replica_urls
from core.settings import Settings

A, B, C = "http://rasa-a", "http://rasa-b", "http://rasa-c"
WEBHOOK = "/webhooks/rest/webhook"


class FakeReplicas:
    """Answers for each replica host; `behaviour[host]` is "ok", "refused", "reset", "500"."""

    def __init__(self, *hosts: str) -> None:
        self.behaviour = {host: "ok" for host in hosts}
        self.posts: list[tuple[str, str]] = []
        self.gets: Counter[str] = Counter()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = f"http://{request.url.host}"
        mode = self.behaviour[host]
        if mode == "refused":
            raise httpx.ConnectError("connection refused", request=request)
        if mode == "connect-timeout":
            raise httpx.ConnectTimeout("connect timeout", request=request)
        if request.method == "GET":
            self.gets[host] += 1
        else:
            self.posts.append((host, json.loads(request.content)["message"]))
        if mode == "reset":
            raise httpx.ReadError("connection reset by peer", request=request)
        if mode == "read-timeout":
            raise httpx.ReadTimeout("read timeout", request=request)
        if mode == "500":
            return httpx.Response(500, text="boom")
        if mode == "loading":
            # Rasa listens (GET / answers) but its model is not loaded yet.
            if request.url.path == "/status":
                return httpx.Response(409, json={"reason": "Conflict"})
            return httpx.Response(200, text="Hello from Rasa: 3.6.21")
        if request.method == "GET":
            return httpx.Response(200, text="Hello from Rasa: 3.6.21")
        return httpx.Response(200, json=[{"recipient_id": "x", "text": f"来自 {host}"}])


def client_for(fake: FakeReplicas, *hosts: str) -> RasaClient:
    return RasaClient(
        rasa_url="http://unused",
        rasa_urls=list(hosts),
        action_server_url="http://actions",
        timeout=5,
        transport=httpx.MockTransport(fake),
    )


def pool_for(handler: Callable[[httpx.Request], httpx.Response], *hosts: str) -> RasaPool:
    return RasaPool(list(hosts), timeout=5, transport=httpx.MockTransport(handler))


def test_replica_urls_come_from_rasa_urls_else_rasa_url() -> None:
    settings = Settings(rasa_url="http://one:5005/", rasa_urls="")
    assert replica_urls(settings) == ["http://one:5005"]
    settings = Settings(rasa_url="http://one:5005", rasa_urls=" http://a:1/, http://b:2 ,")
    assert replica_urls(settings) == ["http://a:1", "http://b:2"]


async def test_requests_go_round_robin_over_the_replicas() -> None:
    fake = FakeReplicas(A, B, C)
    client = client_for(fake, A, B, C)
    for turn in range(6):
        await client.send(sender_id="s1", text=f"第{turn}句")
    await client.aclose()
    assert Counter(host for host, _ in fake.posts) == {A: 2, B: 2, C: 2}
    # Each message went out exactly once.
    assert [text for _, text in fake.posts] == [f"第{turn}句" for turn in range(6)]


async def test_refused_replica_is_skipped_and_the_message_is_sent_once_elsewhere() -> None:
    fake = FakeReplicas(A, B)
    fake.behaviour[A] = "refused"
    client = client_for(fake, A, B)
    replies = [await client.send(sender_id="s1", text=f"第{turn}句") for turn in range(4)]
    assert all(reply[0].text == f"来自 {B}" for reply in replies)
    assert fake.posts == [(B, f"第{turn}句") for turn in range(4)]
    assert client.pool.healthy_urls() == [B]
    await client.aclose()


async def test_connect_timeout_also_fails_over() -> None:
    fake = FakeReplicas(A, B)
    fake.behaviour[A] = "connect-timeout"
    client = client_for(fake, A, B)
    for turn in range(2):
        await client.send(sender_id="s1", text=f"第{turn}句")
    assert [host for host, _ in fake.posts] == [B, B]
    await client.aclose()


async def test_a_message_rasa_may_have_processed_is_never_sent_twice() -> None:
    fake = FakeReplicas(A, B)
    fake.behaviour[A] = "reset"
    client = client_for(fake, A, B)
    with pytest.raises(AssistantUnavailableError):
        await client.send(sender_id="s1", text="第一句")
    assert fake.posts == [(A, "第一句")]
    # The replica that dropped the connection is out of rotation: the next messages go to B.
    assert client.pool.healthy_urls() == [B]
    await client.send(sender_id="s1", text="第二句")
    await client.send(sender_id="s1", text="第三句")
    assert fake.posts[1:] == [(B, "第二句"), (B, "第三句")]
    await client.aclose()


# Rasa answers 500 when, say, an action failed; a read timeout is a slow replica: either way
# the replica itself is alive, and the message may already be in its tracker.
@pytest.mark.parametrize("behaviour", ["500", "read-timeout"])
async def test_an_alive_replica_that_fails_is_not_retried_and_stays_in_rotation(
    behaviour: str,
) -> None:
    fake = FakeReplicas(A, B)
    fake.behaviour[A] = behaviour
    client = client_for(fake, A, B)
    with pytest.raises(AssistantUnavailableError):
        await client.send(sender_id="s1", text="第一句")
    assert fake.posts == [(A, "第一句")]
    assert client.pool.healthy_urls() == [A, B]
    await client.aclose()


async def test_no_healthy_replica_means_unavailable_until_one_comes_back() -> None:
    fake = FakeReplicas(A, B)
    fake.behaviour[A] = fake.behaviour[B] = "refused"
    client = client_for(fake, A, B)
    with pytest.raises(AssistantUnavailableError):
        await client.send(sender_id="s1", text="第一句")
    assert client.pool.healthy_urls() == []
    # Every replica marked down: they are tried anyway, so one that is back answers at once.
    fake.behaviour[B] = "ok"
    await client.send(sender_id="s1", text="第二句")
    assert fake.posts == [(B, "第二句")]
    await client.aclose()


async def test_a_busy_replica_is_taken_out_only_after_several_failed_checks() -> None:
    fake = FakeReplicas(A, B)
    fake.behaviour[A] = "read-timeout"
    pool = pool_for(fake, A, B)
    for _ in range(DOWN_AFTER_FAILED_CHECKS - 1):
        assert not await pool.check(A)
    assert pool.healthy_urls() == [A, B], "one slow status page is not a dead replica"
    assert not await pool.check(A)
    assert pool.healthy_urls() == [B]
    fake.behaviour[A] = "ok"
    assert await pool.check(A)
    assert pool.healthy_urls() == [A, B]
    fake.behaviour[B] = "refused"
    assert not await pool.check(B)
    assert pool.healthy_urls() == [A], "a refused connection is down at once"
    await pool.aclose()


async def test_a_restarted_replica_comes_back_only_once_its_model_is_loaded() -> None:
    fake = FakeReplicas(A, B)
    fake.behaviour[A] = "refused"
    pool = pool_for(fake, A, B)
    assert not await pool.check(A)
    fake.behaviour[A] = "loading"
    assert not await pool.check(A)
    assert pool.healthy_urls() == [B], "listening without a model is not back"
    fake.behaviour[A] = "ok"
    assert await pool.check(A)
    assert pool.healthy_urls() == [A, B]
    await pool.aclose()


async def test_retry_happens_once_only() -> None:
    fake = FakeReplicas(A, B, C)
    fake.behaviour[A] = fake.behaviour[B] = "refused"
    pool = pool_for(fake, A, B, C)
    with pytest.raises(httpx.ConnectError):
        await pool.request("POST", WEBHOOK, json={"sender": "s", "message": "一"})
    assert fake.posts == []
    # Two replicas tried and marked down; the third one takes the next request.
    assert pool.healthy_urls() == [C]
    response = await pool.request("POST", WEBHOOK, json={"sender": "s", "message": "二"})
    assert response.status_code == 200
    await pool.aclose()


async def test_health_checks_bring_a_replica_back() -> None:
    fake = FakeReplicas(A, B)
    fake.behaviour[A] = "refused"
    pool = RasaPool([A, B], timeout=5, transport=httpx.MockTransport(fake), health_interval=0.02)
    await pool.request("POST", WEBHOOK, json={"sender": "s", "message": "一"})
    assert pool.healthy_urls() == [B]
    fake.behaviour[A] = "ok"
    for _ in range(100):
        if pool.healthy_urls() == [A, B]:
            break
        await asyncio.sleep(0.01)
    assert pool.healthy_urls() == [A, B]
    assert fake.gets[A] >= 1 and fake.gets[B] >= 1
    await pool.aclose()


async def test_health_checks_take_a_dead_replica_out_before_any_request_fails() -> None:
    fake = FakeReplicas(A, B)
    pool = RasaPool([A, B], timeout=5, transport=httpx.MockTransport(fake), health_interval=0.02)
    pool.ensure_health_checks()
    fake.behaviour[B] = "500"
    for _ in range(100):
        if pool.healthy_urls() == [A]:
            break
        await asyncio.sleep(0.01)
    assert pool.healthy_urls() == [A]
    await pool.aclose()


async def test_single_replica_is_never_marked_down_and_not_polled() -> None:
    fake = FakeReplicas(A)
    fake.behaviour[A] = "refused"
    client = client_for(fake, A)
    for _ in range(2):
        with pytest.raises(AssistantUnavailableError):
            await client.send(sender_id="s1", text="一")
    assert client.pool.healthy_urls() == [A]
    fake.behaviour[A] = "ok"
    assert (await client.send(sender_id="s1", text="二"))[0].text == f"来自 {A}"
    assert fake.gets[A] == 0
    await client.aclose()


async def test_rasa_available_when_any_replica_answers() -> None:
    fake = FakeReplicas(A, B)
    fake.behaviour[A] = "refused"
    client = client_for(fake, A, B)
    assert await client.rasa_available()
    fake.behaviour[B] = "500"
    assert not await client.rasa_available()
    await client.aclose()


async def test_handoff_control_fails_over_too() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "rasa-a":
            raise httpx.ConnectError("connection refused", request=request)
        seen.append(f"{request.url.host} {request.method} {request.url.path}")
        return httpx.Response(200, json={"sender_id": "web-1", "events": []})

    control = RasaControl(
        rasa_url="http://unused",
        rasa_urls=[A, B],
        timeout=5,
        transport=httpx.MockTransport(handler),
    )
    await control.pause("web-1")
    assert await control.tracker("web-1") == {"sender_id": "web-1", "events": []}
    assert seen == [
        "rasa-b POST /conversations/web-1/tracker/events",
        "rasa-b GET /conversations/web-1/tracker",
    ]
    await control.aclose()


async def test_handoff_control_reports_unreachable_replicas() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    control = RasaControl(
        rasa_url="http://unused",
        rasa_urls=[A, B],
        timeout=5,
        transport=httpx.MockTransport(handler),
    )
    for _ in range(2):
        with pytest.raises(RasaControlError):
            await control.resume("web-1")
    await control.aclose()


def test_the_http_client_finds_sniffio_instead_of_searching_for_it_on_every_request() -> None:
    # httpcore imports sniffio on every request (its locks and cancellation shields ask which
    # event loop runs); when it is not installed, each of those imports fails after searching
    # sys.path: about 0.5 ms of the web process's CPU per chat message (#22, py-spy).
    assert importlib.util.find_spec("sniffio") is not None
