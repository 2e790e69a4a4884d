"""BackofficeTransport.get_reference: reference data reused for a short time, failures never."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from actions.clients.backoffice import BackofficeError, BackofficeTransport
from actions.clients.marriage import MarriageApi


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def transport(answers: list[httpx.Response], calls: list[str], clock: Clock) -> BackofficeTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return answers.pop(0)

    return BackofficeTransport(
        base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(handle), clock=clock
    )


def test_an_answer_is_reused_within_the_ttl_and_asked_again_after() -> None:
    calls: list[str] = []
    clock = Clock()
    answers = [httpx.Response(200, content=b"[1]"), httpx.Response(200, content=b"[2]")]
    client = transport(answers, calls, clock)

    async def run() -> list[bytes]:
        first = await client.get_reference("/api/districts", ttl=30)
        clock.now += 29
        second = await client.get_reference("/api/districts", ttl=30)
        clock.now += 2
        third = await client.get_reference("/api/districts", ttl=30)
        return [first, second, third]

    assert asyncio.run(run()) == [b"[1]", b"[1]", b"[2]"]
    assert len(calls) == 2


def test_paths_and_parameters_are_kept_apart() -> None:
    calls: list[str] = []
    answers = [httpx.Response(200, content=str(i).encode()) for i in range(3)]
    client = transport(answers, calls, Clock())

    async def run() -> list[bytes]:
        return [
            await client.get_reference("/a", params={"day": "2026-12-07"}),
            await client.get_reference("/a", params={"day": "2026-12-08"}),
            await client.get_reference("/b"),
            await client.get_reference("/a", params={"day": "2026-12-07"}),
        ]

    assert asyncio.run(run()) == [b"0", b"1", b"2", b"0"]
    assert len(calls) == 3


def test_a_failure_is_not_kept() -> None:
    calls: list[str] = []
    answers = [httpx.Response(503), httpx.Response(200, content=b"ok")]
    client = transport(answers, calls, Clock())

    async def run() -> bytes:
        with pytest.raises(BackofficeError):
            await client.get_reference("/api/marriage/policy")
        return await client.get_reference("/api/marriage/policy")

    assert asyncio.run(run()) == b"ok"
    assert len(calls) == 2


def test_the_offices_are_read_once_for_several_turns() -> None:
    calls: list[str] = []
    body = (
        b'[{"code": "xihu", "name": "x", "district_code": "xihu", "level": "district",'
        b' "address": "a", "phone": "p", "hours": "h", "keywords": [], "sample": false}]'
    )
    client = transport([httpx.Response(200, content=body)], calls, Clock())
    api = MarriageApi(client)

    async def run() -> None:
        for _ in range(3):
            assert [o.code for o in await api.list_offices()] == ["xihu"]

    asyncio.run(run())
    assert len(calls) == 1
