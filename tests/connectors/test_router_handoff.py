"""The router asks the handoff desk before Rasa: crisis words first, then ownership."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from connectors.rasa_client import RasaClient
from connectors.router import ConversationRouter
from core.chat import TICKET_OPENED, BotMessage, HumanTurn


@dataclass
class FakeGate:
    owned: bool = False
    calls: list[str] = field(default_factory=list)

    def detect_crisis(self, text: str) -> Any:
        return "suicide" if "自杀" in text else None

    async def open_crisis(
        self, *, channel: str, sender: str, text: str, category: Any
    ) -> HumanTurn:
        self.calls.append(f"crisis:{category}:{text}")
        return HumanTurn(messages=[BotMessage(text="请立即拨打 110 或 120")])

    async def take_if_owned(self, *, channel: str, sender: str, text: str) -> HumanTurn | None:
        self.calls.append(f"owned?:{text}")
        return HumanTurn(notices=["排队中"]) if self.owned else None

    async def after_bot_turn(self, *, channel: str, sender: str) -> None:
        self.calls.append("after")


def router_with(
    gate: FakeGate, seen: list[str], replies: list[dict[str, Any]] | None = None
) -> ConversationRouter:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["message"])
        return httpx.Response(200, json=replies or [{"text": "好的"}])

    rasa = RasaClient(
        rasa_url="http://rasa",
        action_server_url="http://a",
        timeout=5,
        transport=httpx.MockTransport(handler),
    )
    return ConversationRouter(rasa=rasa, max_chars=20, handoff=gate)


async def test_crisis_is_answered_without_rasa() -> None:
    gate, seen = FakeGate(), list[str]()
    reply = await router_with(gate, seen).handle(channel="web", sender="abc12345", text="我想自殺")
    assert seen == []
    assert reply.messages[0].text == "请立即拨打 110 或 120"
    assert gate.calls == ["crisis:suicide:我想自杀"]  # detected on the normalised (simplified) text


async def test_owned_conversation_is_not_sent_to_rasa() -> None:
    gate, seen = FakeGate(owned=True), list[str]()
    reply = await router_with(gate, seen).handle(channel="web", sender="abc12345", text="有人吗")
    assert seen == [] and reply.notices == ["排队中"] and reply.messages == []


async def test_bot_owned_goes_to_rasa_and_an_ordinary_turn_needs_no_second_look() -> None:
    gate, seen = FakeGate(), list[str]()
    reply = await router_with(gate, seen).handle(channel="web", sender="abc12345", text="你好")
    assert seen == ["你好"] and reply.messages[0].text == "好的"
    assert gate.calls == ["owned?:你好"]


async def test_a_turn_that_opened_a_ticket_has_the_desk_pause_rasa_unseen() -> None:
    gate, seen = FakeGate(), list[str]()
    replies: list[dict[str, Any]] = [
        {"text": "已为您转人工，前面还有 1 位"},
        {"custom": TICKET_OPENED},
    ]
    reply = await router_with(gate, seen, replies).handle(
        channel="web", sender="abc12345", text="转人工"
    )
    assert gate.calls == ["owned?:转人工", "after"]
    assert [message.text for message in reply.messages] == ["已为您转人工，前面还有 1 位"]


async def test_the_marker_alone_is_still_a_silent_turn() -> None:
    # A turn whose only message is the marker showed the citizen nothing: say so.
    gate = FakeGate()
    reply = await router_with(gate, [], [{"custom": TICKET_OPENED}]).handle(
        channel="web", sender="abc12345", text="转人工"
    )
    assert reply.messages == [] and reply.notices and gate.calls[-1] == "after"


async def test_truncation_notice_is_kept_for_owned_conversations() -> None:
    gate = FakeGate(owned=True)
    reply = await router_with(gate, []).handle(channel="web", sender="abc12345", text="长" * 50)
    assert "20" in reply.notices[0] and reply.notices[1] == "排队中"


async def test_without_a_desk_nothing_changes() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["message"])
        return httpx.Response(200, json=[{"text": "好"}])

    rasa = RasaClient(
        rasa_url="http://rasa",
        action_server_url="http://a",
        timeout=5,
        transport=httpx.MockTransport(handler),
    )
    await ConversationRouter(rasa=rasa, max_chars=20).handle(
        channel="web", sender="abc12345", text="我想自杀"
    )
    assert seen == ["我想自杀"]
