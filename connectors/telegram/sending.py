"""Outgoing calls to Telegram, retried with exponential back-off; failures are never silent.

Network errors, timeouts, 5xx answers and flood control (429 with `retry_after`) are retried
`attempts` times with delays base, 2·base, 4·base … (at most `max_delay`). A message that still
fails — or that Telegram refuses (blocked by the citizen, bad request) — is logged and handed
to a `FailedSendLog` (the database table `telegram_failed_sends` in production).

A timeout may hide a message that did arrive; retrying it risks a duplicate, which we prefer
to a citizen missing an answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from connectors.telegram.rendering import PARSE_MODE

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_RETRY_AFTER_SECONDS = 60.0


@dataclass(frozen=True)
class FailedSend:
    """An outgoing message that could not be sent."""

    chat_id: str
    text: str
    reply_markup: dict[str, Any] | None
    error: str
    attempts: int


class FailedSendLog(Protocol):
    """Where failed messages are kept."""

    async def record(self, failure: FailedSend) -> None:
        """Keep `failure`."""


class MemoryFailedSendLog:
    """A `FailedSendLog` in a list (tests)."""

    def __init__(self) -> None:
        self.failures: list[FailedSend] = []

    async def record(self, failure: FailedSend) -> None:
        """Keep `failure` in memory."""
        self.failures.append(failure)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Attributes:
        attempts: Tries in total (1 = no retry).
        base_delay: Seconds before the second try; doubled for each further try.
        max_delay: Longest wait between two tries.
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed try number `attempt` (1-based)."""
        return float(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


class SendFailedError(Exception):
    """A Telegram call failed after every retry (or was refused outright).

    Attributes:
        attempts: How many tries were made.
    """

    def __init__(self, error: TelegramError, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts


def _retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that `retry_after` becomes a timedelta; both types are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    return min(seconds, MAX_RETRY_AFTER_SECONDS)


async def with_retries(
    operation: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run `operation`, retrying network errors and flood control.

    Raises:
        SendFailedError: Still failing after `policy.attempts` tries, or refused (4xx).
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return await operation()
        except BadRequest as error:  # a NetworkError subclass, but retrying cannot help
            raise SendFailedError(error, attempt) from error
        except RetryAfter as error:
            if attempt >= policy.attempts:
                raise SendFailedError(error, attempt) from error
            await sleep(max(_retry_after_seconds(error), policy.delay(attempt)))
        except NetworkError as error:
            if attempt >= policy.attempts:
                raise SendFailedError(error, attempt) from error
            logger.info("telegram call failed (try %d): %s; retrying", attempt, error)
            await sleep(policy.delay(attempt))
        except TelegramError as error:  # Forbidden (blocked), InvalidToken, ChatMigrated …
            raise SendFailedError(error, attempt) from error


class TelegramSender:
    """Sends messages for the connector: retried, and recorded when they still fail.

    Args:
        bot: The python-telegram-bot `Bot`.
        failures: Where messages that could not be sent are kept.
        policy: Retries and back-off.
        sleep: Waits between tries (tests pass a recorder).
    """

    def __init__(
        self,
        *,
        bot: Bot,
        failures: FailedSendLog,
        policy: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self._failures = failures
        self._policy = policy
        self._sleep = sleep

    async def send_html(
        self, chat_id: str, html_text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> bool:
        """Send one message in parse mode HTML; False (logged and recorded) when it failed."""

        async def send() -> object:
            return await self.bot.send_message(
                chat_id=chat_id,
                text=html_text,
                parse_mode=PARSE_MODE,
                reply_markup=reply_markup,
                link_preview_options=None,
            )

        try:
            await with_retries(send, policy=self._policy, sleep=self._sleep)
        except SendFailedError as failure:
            logger.error(
                "telegram message to chat %s failed after %d tries: %s",
                chat_id, failure.attempts, failure,
            )  # fmt: skip
            await self._failures.record(
                FailedSend(
                    chat_id=chat_id,
                    text=html_text,
                    reply_markup=reply_markup.to_dict() if reply_markup else None,
                    error=str(failure),
                    attempts=failure.attempts,
                )
            )
            return False
        return True

    async def best_effort(self, what: str, operation: Callable[[], Awaitable[object]]) -> bool:
        """Run a call that is no message (answer a button, remove a keyboard): retried, logged."""
        try:
            await with_retries(operation, policy=self._policy, sleep=self._sleep)
        except SendFailedError as failure:
            logger.warning("telegram %s failed after %d tries: %s", what, failure.attempts, failure)
            return False
        return True
