"""What the simulated citizens (bench/citizens.py) record: every attempt and every conversation.

The ledger (bench/ledger.py) and the load and fault tables read these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from core.chat import conversation_id
from core.messages import message

CHANNEL = "web"
OK = "ok"
UNEXPECTED = "unexpected reply"
TIMEOUT = "timeout"
CONNECTION = "connection error"
RUN_ENDED = "run ended"
DRAIN = "drain"
HOTLINE_503 = "HTTP 503 + hotline"


def status_outcome(status: int, body: str = "") -> str:
    """The outcome name of an HTTP status other than 200.

    A 503 whose body carries the Chinese "unavailable" message with the hotline
    (core/messages.yml `service_unavailable`) is `HOTLINE_503`: the citizen was told
    what to do. (Starlette writes JSON without escaping Chinese.)
    """
    if status == httpx.codes.SERVICE_UNAVAILABLE and message("service_unavailable") in body:
        return HOTLINE_503
    return f"HTTP {status}"


@dataclass(frozen=True)
class Attempt:
    """One HTTP request a citizen sent.

    Attributes:
        script: The script's name.
        phase: The phase of the run when the answer (or the failure) came (see `Phases`).
        started: `time.monotonic()` when sent.
        latency_ms: Time until the answer (or the failure).
        outcome: `OK`, `UNEXPECTED`, `TIMEOUT`, `CONNECTION` or ``HTTP <status>``.
        retry: True for the second press of the same message.
    """

    script: str
    phase: str
    started: float
    latency_ms: float
    outcome: str
    retry: bool


@dataclass
class Conversation:
    """One conversation of one citizen, for the ledger.

    Attributes:
        script: Name of the script.
        tags: The script's tags (marriage, donation, …): what the ledger checks.
        sender: The web-chat sender id.
        variables: The script variables of this conversation (its identity), rendered.
        references: Reference numbers the citizen was told (matches of `expect.matches`).
        sent_ok: Messages the gateway answered with 200 (what the citizen saw go through).
        sent_failed: Messages whose every attempt failed (the citizen never got an answer).
        turns_passed: Turns answered as the script expects.
        completed: True when every turn passed.
        finished_at: `time.monotonic()` when the last turn passed.
        problem: Why it ended early.
    """

    script: str
    tags: list[str]
    sender: str
    variables: dict[str, str]
    references: list[str] = field(default_factory=list)
    sent_ok: list[str] = field(default_factory=list)
    sent_failed: list[str] = field(default_factory=list)
    turns_passed: int = 0
    completed: bool = False
    finished_at: float | None = None
    problem: str | None = None

    @property
    def conversation_id(self) -> str:
        """The id the back office stores (``web-<sender>``)."""
        return conversation_id(CHANNEL, self.sender)


@dataclass
class LoadResult:
    """Everything the citizens did during one run (`seconds`: length of the timed window).

    `resting` is how many citizens are pausing right now after giving up a conversation for lack
    of an answer (`GIVE_UP_PAUSE_SECONDS`): they send nothing meanwhile.
    """

    attempts: list[Attempt] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    seconds: float = 0.0
    window_end: float = 0.0
    resting: int = 0

    def completed_in_window(self) -> int:
        """Conversations whose last turn passed before the end of the timed window."""
        return sum(
            c.finished_at is not None and c.finished_at <= self.window_end
            for c in self.conversations
        )
