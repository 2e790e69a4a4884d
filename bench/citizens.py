"""Simulated citizens: whole conversations through `POST /api/chat`, every message timed.

The conversations are the scripts in ``bench/load_scripts/`` (the conversation-script format of
testkit.script_format). Each conversation gets a fresh sender id and its own identity: the
script's ``vars`` (ID numbers, phone, booking day) are replaced by values unique to it, so
concurrent bookings never collide.

A citizen who gets no answer (HTTP error, 503, timeout, connection refused) presses send once
more after a pause, as people do, then gives up the conversation and waits a while before the
next one; a reply that lacks what the script expects ends the conversation too. Every attempt
is recorded with its latency, the phase it ended in (for fault injection: a message in flight
when a replica is killed fails because of the kill) and how it ended.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from collections.abc import Callable

import httpx

from bench.citizen_records import (
    CHANNEL,
    CONNECTION,
    DRAIN,
    OK,
    RUN_ENDED,
    TIMEOUT,
    UNEXPECTED,
    Attempt,
    Conversation,
    LoadResult,
    status_outcome,
)
from bench.citizen_scripts import SCRIPT_WEIGHTS, Identities, load_scripts
from core.chat import conversation_id
from testkit.conversations import turn_message
from testkit.gateway_chat import BotReply
from testkit.reply_checks import check_reply, render_expect
from testkit.script_format import Expect, LoadedScript, Turn
from testkit.script_vars import Variables
from zhtext.city_time import city_today

RETRY_PAUSE_SECONDS = 2.0
# After giving up a conversation for lack of an answer, a citizen waits before trying again.
GIVE_UP_PAUSE_SECONDS = 15.0
# Connections kept for citizens who arrive during a run (`run_citizens(arrivals=...)`).
ARRIVALS_MAX = 20
CLIENT_KEEPALIVE_SECONDS = 2.0


class Citizen:
    """Sends the turns of conversations one after another until told to stop.

    Args:
        client: Shared HTTP client.
        web_url: Base URL of the web app.
        scripts: The scripts to pick from.
        identities: Where unique personal data comes from.
        result: Where attempts and conversations are recorded.
        phase: Returns the current phase name.
        think_seconds: Mean pause between two messages (uniform 0.5×–1.5×).
        rng: Random source of this citizen.
    """

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        web_url: str,
        scripts: dict[str, LoadedScript],
        identities: Identities,
        result: LoadResult,
        phase: Callable[[], str],
        think_seconds: float,
        rng: random.Random,
    ) -> None:
        self._client = client
        self._url = f"{web_url}/api/chat"
        self._scripts = scripts
        self._identities = identities
        self._result = result
        self._phase = phase
        self._think = think_seconds
        self._rng = rng

    async def run(self, stop: asyncio.Event, abort: asyncio.Event) -> None:
        """Start conversations until `stop` is set; finish the current one unless `abort` is."""
        names = list(self._scripts)
        weights = [SCRIPT_WEIGHTS[name] for name in names]
        while not stop.is_set() and not abort.is_set():
            name = self._rng.choices(names, weights)[0]
            conversation = await self.converse(name, abort)
            if conversation.sent_failed and not stop.is_set():
                self._result.resting += 1
                try:
                    await asyncio.sleep(GIVE_UP_PAUSE_SECONDS * self._rng.uniform(0.5, 1.5))
                finally:
                    self._result.resting -= 1

    async def converse(self, name: str, abort: asyncio.Event) -> Conversation:
        """Play script `name` once with a fresh sender and identity."""
        loaded = self._scripts[name]
        sender = f"load-{uuid.uuid4().hex[:16]}"
        overrides = self._identities.for_script(loaded)
        variables = Variables.build(
            today=city_today(),
            sender=sender,
            conversation_id=conversation_id(CHANNEL, sender),
            script_vars={**loaded.script.vars, **overrides},
        )
        conversation = Conversation(
            script=name,
            tags=list(loaded.script.tags),
            sender=sender,
            variables={key: variables.render(f"{{{key}}}") for key in variables.extra},
        )
        self._result.conversations.append(conversation)
        previous: BotReply | None = None
        for turn in loaded.script.turns:
            if abort.is_set():
                conversation.problem = RUN_ENDED
                return conversation
            await self._pause()
            reply = await self._play(turn, variables, previous, conversation)
            if reply is None:
                return conversation
            conversation.turns_passed += 1
            previous = reply
        conversation.completed = True
        conversation.finished_at = time.monotonic()
        return conversation

    async def _pause(self) -> None:
        if self._think > 0:
            await asyncio.sleep(self._think * self._rng.uniform(0.5, 1.5))

    async def _play(
        self,
        turn: Turn,
        variables: Variables,
        previous: BotReply | None,
        conversation: Conversation,
    ) -> BotReply | None:
        """Send one turn (pressing send a second time if it fails); None ends the conversation."""
        message = turn_message(turn, variables, previous)
        if message is None:
            conversation.problem = f"button {turn.click!r} not offered"
            return None
        expect = render_expect(turn.expect, variables)
        for retry in (False, True):
            outcome, reply = await self._send(conversation, message, expect, retry=retry)
            if reply is not None:
                conversation.sent_ok.append(message)
                if outcome != OK:
                    conversation.problem = (
                        f"{UNEXPECTED} ({conversation.script}) to {message!r}: {reply.text[:160]!r}"
                    )
                    return None
                for pattern in expect.matches:
                    found = re.search(pattern, reply.text)
                    if found:
                        conversation.references.append(found.group(0))
                return reply
            if not retry:
                await asyncio.sleep(RETRY_PAUSE_SECONDS)
        conversation.sent_failed.append(message)
        conversation.problem = f"no answer to {message!r} ({outcome})"
        return None

    async def _send(
        self, conversation: Conversation, message: str, expect: Expect, *, retry: bool
    ) -> tuple[str, BotReply | None]:
        """One attempt: (outcome, reply or None when the gateway gave no reply)."""
        started = time.monotonic()
        reply: BotReply | None = None
        try:
            response = await self._client.post(
                self._url, json={"sender": conversation.sender, "message": message}
            )
        except httpx.TimeoutException:
            outcome = TIMEOUT
        except httpx.HTTPError:
            outcome = CONNECTION
        else:
            if response.status_code == httpx.codes.OK:
                reply = BotReply.from_gateway(response.json())
                outcome = UNEXPECTED if check_reply(expect, reply) else OK
            else:
                outcome = status_outcome(response.status_code, response.text)
        self._result.attempts.append(
            Attempt(
                script=conversation.script,
                phase=self._phase(),
                started=started,
                latency_ms=(time.monotonic() - started) * 1000,
                outcome=outcome,
                retry=retry,
            )
        )
        return outcome, reply


async def run_citizens(
    web_url: str,
    *,
    citizens: int,
    stop: asyncio.Event,
    phase: Callable[[], str] = lambda: "load",
    think_seconds: float = 1.0,
    timeout_seconds: float = 60.0,
    drain_seconds: float = 240.0,
    seed: int = 11,
    result: LoadResult | None = None,
    arrivals: asyncio.Queue[asyncio.Event] | None = None,
) -> LoadResult:
    """Run `citizens` concurrent citizens until `stop` is set; return what they did.

    After `stop` no new conversation starts, but each citizen finishes the one in progress
    (phase `DRAIN`, at most `drain_seconds`), so what they were told can be checked in full.
    `LoadResult.seconds` is the time until `stop`. `result` (default: a new one) is filled in
    as they go, so a caller can watch it (`LoadResult.resting`).

    Each event put into `arrivals` brings one more citizen, like the others (same scripts,
    same pace, an identity of the same series, recorded in the same result), who starts
    conversations until that event (or `stop`) is set and then finishes the current one.
    """
    scripts = load_scripts()
    identities = Identities(seed=seed)
    result = result if result is not None else LoadResult()
    abort = asyncio.Event()
    connections = citizens + 10 + (ARRIVALS_MAX if arrivals is not None else 0)
    # An idle connection is dropped before the web worker closes it (uvicorn: after 5 s): with
    # both at 5 s (httpx's default), a message sent on it just as the server closes it fails
    # with "Server disconnected", an error of the bench's client (a browser resends then).
    limits = httpx.Limits(
        max_connections=connections,
        max_keepalive_connections=connections,
        keepalive_expiry=CLIENT_KEEPALIVE_SECONDS,
    )
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=timeout_seconds, limits=limits) as client:

        def citizen(index: int) -> Citizen:
            return Citizen(
                client=client,
                web_url=web_url,
                scripts=scripts,
                identities=identities,
                result=result,
                phase=lambda: DRAIN if stop.is_set() else phase(),
                think_seconds=think_seconds,
                rng=random.Random(seed * 1000 + index),
            )

        tasks = [asyncio.create_task(citizen(i).run(stop, abort)) for i in range(citizens)]

        async def admit(queue: asyncio.Queue[asyncio.Event]) -> None:
            while True:
                leave = await queue.get()
                tasks.append(asyncio.create_task(citizen(len(tasks)).run(leave, abort)))

        admission = asyncio.create_task(admit(arrivals)) if arrivals is not None else None
        await stop.wait()
        result.seconds = time.monotonic() - started
        result.window_end = time.monotonic()
        if admission is not None:
            admission.cancel()
        everyone = asyncio.gather(*tasks)
        try:
            await asyncio.wait_for(asyncio.shield(everyone), drain_seconds)
        except TimeoutError:
            abort.set()
            await everyone
    return result


async def warm_up(web_url: str) -> list[Conversation]:
    """Play every script once, one after another (loads models and caches; checks the scripts).

    Returns:
        The conversations that did not complete (empty when every script passed).
    """
    scripts = load_scripts()
    result = LoadResult()
    never = asyncio.Event()
    async with httpx.AsyncClient(timeout=120) as client:
        citizen = Citizen(
            client=client,
            web_url=web_url,
            scripts=scripts,
            identities=Identities(seed=0),
            result=result,
            phase=lambda: "warm-up",
            think_seconds=0,
            rng=random.Random(0),
        )
        for name in scripts:
            await citizen.converse(name, never)
    return [conversation for conversation in result.conversations if not conversation.completed]
