"""The action server: only Rasa may call it; phone slots sealed going out, plain coming in."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from rasa_sdk.executor import ActionExecutor, ActionExecutorRunResult

from actions import server
from core import sealing
from core.settings import get_settings


@pytest.fixture(autouse=True)
def sealing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "slot_sealing_key", Fernet.generate_key().decode())
    sealing._fernet.cache_clear()


def test_phone_slots_are_sealed_and_other_slots_are_not() -> None:
    events = server.seal_events(
        [
            {"event": "slot", "name": "marriage_phone", "value": "13812345678"},
            {"event": "slot", "name": "marriage_office", "value": "xihu"},
            {"event": "slot", "name": "donation_phone", "value": None},
            {"event": "bot", "text": "13812345678"},
        ]
    )
    assert events[0]["value"].startswith(sealing.SEALED_PREFIX)
    assert "13812345678" not in events[0]["value"]
    assert events[1]["value"] == "xihu" and events[2]["value"] is None
    assert events[3] == {"event": "bot", "text": "13812345678"}  # the store masks bot text
    again = server.seal_events(events)
    assert again[0]["value"] == events[0]["value"], "a sealed value is not sealed twice"


def test_the_tracker_an_action_sees_has_plain_phones() -> None:
    sealed = sealing.seal("13812345678")
    tracker: dict[str, Any] = {
        "sender_id": "web-x",
        "slots": {"eldercare_visitor_phone": sealed, "other": sealed},
        "events": [{"event": "slot", "name": "eldercare_visitor_phone", "value": sealed}],
    }
    plain = server.unseal_tracker(tracker)
    assert plain["slots"]["eldercare_visitor_phone"] == "13812345678"
    assert plain["slots"]["other"] == sealed, "only personal slots"
    assert plain["events"][0]["value"] == "13812345678"
    assert tracker["slots"]["eldercare_visitor_phone"] == sealed, "the input is not changed"


async def test_the_executor_unseals_then_seals(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    async def fake_run(self, action_call, sink=None, dispatcher=None):
        seen.update(action_call["tracker"]["slots"])
        value = action_call["tracker"]["slots"]["marriage_phone"]
        return ActionExecutorRunResult(
            events=[{"event": "slot", "name": "marriage_phone", "value": value}], responses=[]
        )

    monkeypatch.setattr(ActionExecutor, "run", fake_run)
    call = {
        "next_action": "x",
        "tracker": {"slots": {"marriage_phone": sealing.seal("13900001111")}},
    }
    result = await server.SealingActionExecutor().run(call)
    assert seen["marriage_phone"] == "13900001111"
    assert result is not None
    assert sealing.unseal(result.events[0]["value"]) == "13900001111"
    assert "13900001111" not in result.events[0]["value"]


def test_only_the_configured_bearer_token_is_accepted() -> None:
    assert server.token_matches("Bearer abc", "abc")
    assert not server.token_matches("Bearer abc", "")
    assert not server.token_matches("Bearer ", "")
    assert not server.token_matches(None, "abc")
    assert not server.token_matches("abc", "abc")
