"""The realistic mix of `make bench`: whole service conversations, timed message by message.

Each project conversation starts a service (婚姻登记预约, 救助预审, 找养老, 慈善认捐), answers its
questions, asks a knowledge question in the middle of the form and finishes
(``bench/mix_scripts/``, the conversation-script format of testkit.script_format; ID numbers,
phones and days unique per conversation as in the load bench). The bare-Rasa anchor has its own
short conversation (``bench/anchor_bot/conversation.yml``) with one custom action.

`run_level` keeps N conversations going at once for a fixed time: each one starts the next
script as soon as it finished one. A closed-loop level ("20") sends each message the moment the
previous reply arrives (what the machine can do); a paced level ("20@3") lets each citizen think
before every message after the first (0.5-1.5 x the mean, here 3 s: quicker than people type
on a phone, so the pace is on the heavy side of real use), and the citizens arrive spread over
the first two think times instead of all in the same millisecond (that burst queued twenty
first messages behind each other: 0.2-0.6 s each, the whole p95 of the paced level). Every reply
is checked against the script, so a run that wanders off (and measures fallbacks instead of
services) shows up as "unexpected" in the table.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.citizen_records import CHANNEL
from bench.citizen_scripts import Identities
from core.chat import conversation_id
from testkit.conversations import turn_message
from testkit.gateway_chat import BotReply
from testkit.reply_checks import check_reply, render_expect
from testkit.script_format import LoadedScript, Turn, load_script
from testkit.script_vars import Variables
from zhtext.city_time import city_today

MIX_DIR = Path(__file__).resolve().parent / "mix_scripts"
ANCHOR_SCRIPT = Path(__file__).resolve().parent / "anchor_bot" / "conversation.yml"
# The four services of the product: the mix has one conversation of each.
SERVICES = ("marriage", "prescreen", "eldercare", "donation")
# What every reply to a knowledge question asked inside a form says before asking again.
RESUME_MARK = "我们接着"
# On a paced level the citizens' first messages are spread over this many mean think times.
ARRIVAL_SPREAD = 2.0

Send = Callable[[httpx.AsyncClient, str, str], Awaitable[BotReply]]


def mix_scripts() -> dict[str, LoadedScript]:
    """The project's conversations of the mix, by name."""
    return {path.stem: load_script(path) for path in sorted(MIX_DIR.glob("*.yml"))}


def anchor_scripts() -> dict[str, LoadedScript]:
    """The anchor's one conversation."""
    return {"anchor": load_script(ANCHOR_SCRIPT)}


def rasa_reply(body: list[dict[str, Any]]) -> BotReply:
    """A reply of Rasa's REST channel as the gateway's `BotReply`."""
    return BotReply.from_gateway({"messages": body})


def via_rasa(rasa_url: str) -> Send:
    """Send to a Rasa server's REST channel (sender `web-<sender>`, as the gateway sends)."""

    async def send(client: httpx.AsyncClient, sender: str, message: str) -> BotReply:
        response = await client.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": conversation_id(CHANNEL, sender), "message": message},
        )
        response.raise_for_status()
        return rasa_reply(response.json())

    return send


def via_gateway(web_url: str) -> Send:
    """Send through the web gateway, as the chat page does."""

    async def send(client: httpx.AsyncClient, sender: str, message: str) -> BotReply:
        response = await client.post(
            f"{web_url}/api/chat", json={"sender": sender, "message": message}
        )
        response.raise_for_status()
        return BotReply.from_gateway(response.json())

    return send


@dataclass(frozen=True)
class Target:
    """One way of talking to a bot: its name, its conversations and how a message is sent."""

    name: str
    scripts: dict[str, LoadedScript]
    send: Send


@dataclass(frozen=True, order=True)
class Level:
    """How many conversations at once, and how long each citizen thinks before a message."""

    conversations: int
    think_seconds: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Level:
        """ "20" (closed loop) or "20@3" (20 conversations, 3 s mean think time)."""
        count, _, think = text.strip().partition("@")
        return cls(int(count), float(think) if think else 0.0)

    @property
    def label(self) -> str:
        """ "20" or "20 @3 s"."""
        return (
            f"{self.conversations} @{self.think_seconds:g} s"
            if self.paced
            else str(self.conversations)
        )

    @property
    def paced(self) -> bool:
        """Whether citizens think between messages (not a closed loop)."""
        return self.think_seconds > 0


@dataclass(frozen=True)
class Sample:
    """One message: its latency, whether the reply was the expected one, when it was answered."""

    script: str
    latency_ms: float
    ok: bool
    answered_at: float


@dataclass
class LevelResult:
    """What one target did with N concurrent conversations during `seconds`."""

    target: str
    level: Level
    seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    completed: int = 0
    problems: list[str] = field(default_factory=list)

    def merge(self, other: LevelResult) -> None:
        """Add another round of the same target and level."""
        self.seconds += other.seconds
        self.samples += other.samples
        self.completed += other.completed
        self.problems += other.problems


class Conversations:
    """Plays scripts against one target, recording every message into a `LevelResult`."""

    def __init__(
        self,
        target: Target,
        identities: Identities,
        client: httpx.AsyncClient,
        *,
        think_seconds: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:
        self._target = target
        self._identities = identities
        self._client = client
        self._think = think_seconds
        self._rng = rng or random.Random(22)

    async def play(self, name: str, result: LevelResult, deadline: float) -> None:
        """Play script `name` once with a fresh sender, until it ends or `deadline` passes."""
        async for _ in self.steps(name, result, deadline):
            pass

    async def steps(self, name: str, result: LevelResult, deadline: float) -> AsyncIterator[None]:
        """Play script `name` once with a fresh sender, pausing after every message answered."""
        loaded = self._target.scripts[name]
        sender = f"mix-{uuid.uuid4().hex[:16]}"
        variables = Variables.build(
            today=city_today(),
            sender=sender,
            conversation_id=conversation_id(CHANNEL, sender),
            script_vars={**loaded.script.vars, **self._identities.for_script(loaded)},
        )
        previous: BotReply | None = None
        for index, turn in enumerate(loaded.script.turns):
            if index and self._think:
                await asyncio.sleep(self._think * self._rng.uniform(0.5, 1.5))
            if time.monotonic() >= deadline:
                return
            message = turn_message(turn, variables, previous)
            if message is None:
                result.problems.append(f"{name}: button {turn.click!r} not offered")
                return
            started = time.monotonic()
            try:
                reply = await self._target.send(self._client, sender, message)
            except httpx.HTTPError as error:
                result.problems.append(f"{name}: {message!r}: {type(error).__name__} {error}")
                return
            answered = time.monotonic()
            problems = (
                check_reply(render_expect(turn.expect, variables), reply) if _checks(turn) else []
            )
            latency = (answered - started) * 1000
            result.samples.append(Sample(name, latency, not problems, answered))
            if problems:
                result.problems.append(f"{name}: {message!r}: {problems[0]}: {reply.text[:80]!r}")
                return
            previous = reply
            yield
        result.completed += 1


def _checks(turn: Turn) -> bool:
    return not turn.expect.is_empty()


async def run_level(
    target: Target, *, level: Level, seconds: float, identities: Identities
) -> LevelResult:
    """Keep `level.conversations` conversations going for `seconds`; the messages answered.

    Conversation i plays the scripts in turn starting from the i-th, so every level runs the
    whole mix. A message still in flight at the end is not counted.
    """
    conversations = level.conversations
    arrivals = random.Random(conversations)
    result = LevelResult(target=target.name, level=level)
    names = list(target.scripts)
    limits = httpx.Limits(max_connections=conversations + 5, keepalive_expiry=2.0)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        player = Conversations(target, identities, client, think_seconds=level.think_seconds)
        started = time.monotonic()
        deadline = started + seconds

        async def conversation(index: int) -> None:
            turn = index
            if level.paced:  # citizens arrive one by one, not all in the same millisecond
                await asyncio.sleep(arrivals.uniform(0, ARRIVAL_SPREAD * level.think_seconds))
            while time.monotonic() < deadline:
                await player.play(names[turn % len(names)], result, deadline)
                turn += 1

        await asyncio.gather(*(conversation(i) for i in range(conversations)))
    result.seconds = seconds
    result.samples = [s for s in result.samples if s.answered_at <= deadline]
    return result


async def run_interleaved(
    targets: list[Target], *, seconds: float, identities: Identities
) -> list[LevelResult]:
    """One conversation on each target, taking turns message by message, for `seconds`.

    The 1-conversation level: only one message is ever in flight, and the targets' messages
    alternate (who goes first rotates), so a drift of the machine's speed (the p50 of a 20 s
    round moved between 34 and 52 ms here) hits every target alike, and the ratios between
    them stay put. A target's `seconds` is the time it was answering: messages per second is
    then what one closed-loop conversation would get.
    """
    results = [LevelResult(target=target.name, level=Level(1)) for target in targets]
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=60) as client:
        players = [
            _script_after_script(
                Conversations(target, identities, client), list(target.scripts), result, deadline
            )
            for target, result in zip(targets, results, strict=True)
        ]
        step = 0
        while time.monotonic() < deadline:
            first = step % len(players)
            for player in players[first:] + players[:first]:
                await anext(player, None)
            step += 1
    for result in results:
        result.samples = [s for s in result.samples if s.answered_at <= deadline]
        result.seconds = sum(s.latency_ms for s in result.samples) / 1000
    return results


async def _script_after_script(
    player: Conversations, names: list[str], result: LevelResult, deadline: float
) -> AsyncIterator[None]:
    """The scripts `names` in turn, one message per step, until `deadline`."""
    turn = 0
    while time.monotonic() < deadline:
        async for _ in player.steps(names[turn % len(names)], result, deadline):
            yield
        turn += 1


async def warm_up(target: Target, identities: Identities) -> list[str]:
    """Play each script of `target` once (loads models and caches); the problems seen."""
    result = LevelResult(target=target.name, level=Level(1))
    async with httpx.AsyncClient(timeout=120) as client:
        player = Conversations(target, identities, client)
        for name in target.scripts:
            await player.play(name, result, deadline=float("inf"))
    return result.problems
