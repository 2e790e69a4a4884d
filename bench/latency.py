"""Latency of one message through the whole stack, next to bare Rasa REST latency.

`make bench` (or `python -m bench.latency`) starts the real processes with the current model and
sends the same message two ways, in the same process and run:

- baseline: straight to Rasa's REST channel (Rasa → action server → back office);
- full path: through the web gateway (normalisation, routing) → Rasa → action server → back office.

It prints medians, p95 and the ratio full/baseline, for one conversation at a time and for 20
concurrent conversations. The message asks which districts are served, so every reply runs a
custom action that reads the back office.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx

from testkit.stack import LiveStack

MESSAGE = "你们服务哪几个区县"
Send = Callable[[httpx.AsyncClient, str], Awaitable[None]]


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (0–1) of `values`, nearest-rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def via_rasa(stack: LiveStack) -> Send:
    """Send straight to Rasa's REST channel."""

    async def send(client: httpx.AsyncClient, sender: str) -> None:
        response = await client.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": f"web-{sender}", "message": MESSAGE},
        )
        response.raise_for_status()
        assert response.json(), "empty reply"

    return send


def via_gateway(stack: LiveStack) -> Send:
    """Send through the web gateway, as the chat page does."""

    async def send(client: httpx.AsyncClient, sender: str) -> None:
        response = await client.post(
            f"{stack.web_url}/api/chat", json={"sender": sender, "message": MESSAGE}
        )
        response.raise_for_status()
        assert response.json()["messages"], "empty reply"

    return send


async def measure(send: Send, *, conversations: int, messages: int) -> list[float]:
    """Latencies (ms) of `messages` messages in each of `conversations` concurrent conversations."""
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=60) as client:

        async def conversation() -> None:
            sender = f"bench-{uuid.uuid4().hex[:12]}"
            for _ in range(messages):
                started = time.perf_counter()
                await send(client, sender)
                latencies.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(conversation() for _ in range(conversations)))
    return latencies


async def run(rounds: int) -> list[tuple[str, int, list[float], list[float]]]:
    """Measure both paths alternately (so drift hits both), for 1 and 20 conversations."""
    rows = []
    with LiveStack.start() as stack:
        for path in (via_rasa(stack), via_gateway(stack)):  # warm-up (model, jieba, caches)
            await measure(path, conversations=2, messages=5)
        for conversations, messages in ((1, 40), (20, 5)):
            baseline: list[float] = []
            full: list[float] = []
            for _ in range(rounds):
                baseline += await measure(
                    via_rasa(stack), conversations=conversations, messages=messages
                )
                full += await measure(
                    via_gateway(stack), conversations=conversations, messages=messages
                )
            rows.append((f"{conversations} conversation(s)", conversations, baseline, full))
    return rows


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per scenario")
    args = parser.parse_args()
    rows = asyncio.run(run(args.rounds))
    header = (
        f"{'scenario':<20} {'n':>5} {'rasa p50':>9} {'rasa p95':>9} "
        f"{'full p50':>9} {'full p95':>9} {'ratio p50':>10} {'ratio p95':>10}"
    )
    print(f"\nmessage: {MESSAGE!r} (runs a custom action that reads the back office); ms\n")
    print(header)
    print("-" * len(header))
    for name, _, baseline, full in rows:
        b50, b95 = statistics.median(baseline), percentile(baseline, 0.95)
        f50, f95 = statistics.median(full), percentile(full, 0.95)
        print(
            f"{name:<20} {len(full):>5} {b50:>9.1f} {b95:>9.1f} {f50:>9.1f} {f95:>9.1f} "
            f"{f50 / b50:>10.2f} {f95 / b95:>10.2f}"
        )


if __name__ == "__main__":
    main()
