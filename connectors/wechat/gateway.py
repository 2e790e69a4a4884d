"""Citizens' WeChat messages → the shared router → a passive reply or a customer-service message.

WeChat waits 5 seconds for the HTTP answer, then retries (three times in all). The gateway waits
`passive_seconds` (4.5 s) for the assistant: a reply ready by then is the passive reply (one text
message; further pieces of a long reply follow through the customer-service API); otherwise it
answers "success" (nothing shown) and sends the reply through the customer-service API when it
is ready. Each message is answered once: a retry (same MsgId, or OpenID + CreateTime for events)
joins the first delivery's exchange instead of asking the assistant again. Flow: `flow.mmd`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from connectors.rasa_client import AssistantUnavailableError
from connectors.router import RouterReply
from connectors.wechat.api import WechatApi, WechatApiError
from connectors.wechat.choices import ChoiceMemory
from connectors.wechat.envelope import encrypted_reply_xml, text_reply_xml
from connectors.wechat.inbound import Inbound, understand
from connectors.wechat.rendering import RenderedReply, render
from connectors.wechat.security import CallbackGuard, CallbackQuery, CallbackRejectedError
from connectors.wechat.texts import wechat_text
from connectors.wechat.ttl_cache import TtlCache
from core.messages import message

logger = logging.getLogger(__name__)

CHANNEL = "wx"
PASSIVE_SECONDS = 4.5
# WeChat retries within ~15 s; keep exchanges a while longer.
EXCHANGE_TTL_SECONDS = 120.0
# Pieces sent after a passive reply wait a moment, so they arrive after it.
AFTER_PASSIVE_DELAY_SECONDS = 0.5
SUCCESS = "success"


class ConversationHandler(Protocol):
    """What the gateway needs from connectors.router.ConversationRouter."""

    async def handle(
        self, *, channel: str, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> RouterReply:
        """The replies to one citizen message."""


@dataclass
class CallbackAnswer:
    """The HTTP answer to one callback."""

    body: str
    media_type: str


@dataclass
class _Exchange:
    """One message's handling, shared by WeChat's retries of it."""

    task: asyncio.Task[RenderedReply]
    mode: Literal["pending", "passive", "async"] = "pending"
    passive_text: str | None = None


class WechatGateway:
    """Handles the callbacks of one official account.

    Args:
        router: The shared conversation router.
        guard: Checks signatures, timestamps and replays; opens safe mode.
        api: The WeChat server API (customer-service messages).
        choices: The numbered choices last shown to each citizen.
        passive_seconds: How long to wait for the assistant before answering "success".
        after_passive_delay: Pause before the pieces that follow a passive reply.
    """

    def __init__(
        self,
        *,
        router: ConversationHandler,
        guard: CallbackGuard,
        api: WechatApi,
        choices: ChoiceMemory | None = None,
        passive_seconds: float = PASSIVE_SECONDS,
        after_passive_delay: float = AFTER_PASSIVE_DELAY_SECONDS,
    ) -> None:
        self.router = router
        self.guard = guard
        self.api = api
        self.choices = choices or ChoiceMemory()
        self._passive_seconds = passive_seconds
        self._after_passive_delay = after_passive_delay
        self._exchanges: TtlCache[_Exchange] = TtlCache(ttl_seconds=EXCHANGE_TTL_SECONDS)
        self._background: set[asyncio.Task[None]] = set()

    async def aclose(self) -> None:
        """Let pending customer-service sends finish (briefly), then close the API client."""
        if self._background:
            await asyncio.wait(self._background, timeout=5.0)
        for task in self._background:
            task.cancel()
        await self.api.aclose()

    async def idle(self) -> None:
        """Wait until every background send is done (tests)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    def handshake(self, query: CallbackQuery) -> str:
        """The echo for WeChat's server-address check."""
        return self.guard.handshake(query)

    async def handle(self, query: CallbackQuery, body: bytes) -> CallbackAnswer:
        """Answer one POSTed callback.

        Raises:
            CallbackRejectedError: Not a valid callback from WeChat, or a replay.
        """
        started = time.monotonic()
        opened = self.guard.open(query, body)
        inbound = understand(opened.fields)
        if inbound.kind == "ignore":
            return _success()
        exchange = self._exchanges.get(inbound.dedup_key)
        if exchange is None:
            if opened.replayed:
                raise CallbackRejectedError(409, "replayed")
            exchange = _Exchange(task=asyncio.create_task(self._answer(inbound)))
            self._exchanges.set(inbound.dedup_key, exchange)
        if exchange.mode == "pending":
            remaining = self._passive_seconds - (time.monotonic() - started)
            await asyncio.wait({exchange.task}, timeout=max(remaining, 0.0))
        if exchange.mode == "pending":  # decided here, once, for this message and its retries
            if exchange.task.done():
                self._answer_passively(exchange, inbound)
            else:
                exchange.mode = "async"
                self._spawn(self._send_when_ready(exchange.task, inbound.open_id))
        if exchange.mode == "passive" and exchange.passive_text is not None:
            return self._passive(inbound, exchange.passive_text, query, opened.encrypted)
        return _success()

    def _answer_passively(self, exchange: _Exchange, inbound: Inbound) -> None:
        texts = exchange.task.result().texts
        exchange.mode = "passive"
        if texts:
            exchange.passive_text = texts[0]
        if len(texts) > 1:
            self._spawn(self.send_texts(inbound.open_id, texts[1:], self._after_passive_delay))

    async def _answer(self, inbound: Inbound) -> RenderedReply:
        """Ask the assistant (never raises: failures become the apology text)."""
        if inbound.kind == "unsupported":
            return RenderedReply(texts=[wechat_text("unsupported_media")])
        text = inbound.text
        if not inbound.is_payload:
            choice = self.choices.pick(inbound.open_id, text)
            if choice is not None:
                text = choice.payload
        try:
            reply = await self.router.handle(
                channel=CHANNEL, sender=inbound.open_id, text=text, metadata=inbound.metadata
            )
        except AssistantUnavailableError:
            return RenderedReply(texts=[message("service_unavailable")])
        except Exception:  # the citizen gets an apology, never silence
            logger.exception("wechat message from %s failed", inbound.open_id)
            return RenderedReply(texts=[message("internal_error")])
        # The receipt while staff answer ("已送达人工客服 小王") is a short line of its own.
        rendered = render(reply.messages, reply.notices_and_receipt())
        if rendered.texts:
            self.choices.remember(inbound.open_id, rendered.choices)
        return rendered

    async def _send_when_ready(self, task: asyncio.Task[RenderedReply], open_id: str) -> None:
        await self.send_texts(open_id, (await task).texts)

    async def send_texts(self, open_id: str, texts: Sequence[str], delay: float = 0.0) -> bool:
        """Send texts through the customer-service API, in order; False when one failed."""
        if delay and texts:
            await asyncio.sleep(delay)
        for text in texts:
            try:
                await self.api.send_text(open_id, text)
            except WechatApiError:
                logger.exception("customer-service message to %s failed", open_id)
                return False
        return True

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _passive(
        self, inbound: Inbound, text: str, query: CallbackQuery, encrypted: bool
    ) -> CallbackAnswer:
        reply = text_reply_xml(
            to_user=inbound.open_id,
            from_user=inbound.account,
            create_time=int(time.time()),
            content=text,
        )
        if encrypted:
            timestamp, nonce = query.timestamp or "", query.nonce or ""
            sealed, signature = self.guard.seal(reply, timestamp=timestamp, nonce=nonce)
            reply = encrypted_reply_xml(
                encrypted=sealed, signature=signature, timestamp=timestamp, nonce=nonce
            )
        return CallbackAnswer(body=reply, media_type="application/xml")


def _success() -> CallbackAnswer:
    return CallbackAnswer(body=SUCCESS, media_type="text/plain")
