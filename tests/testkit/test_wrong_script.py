"""A deliberately wrong script, run against the real stack, must fail and say clearly why."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.conversations import ConversationRunner
from testkit.gateway_chat import GatewayChatClient
from testkit.script_format import load_script
from testkit.stack import LiveStack

pytestmark = pytest.mark.e2e

WRONG_SCRIPT = Path(__file__).parent / "data" / "wrong_script.yml"


def test_wrong_script_fails_with_a_readable_diff(live_stack: LiveStack) -> None:
    chat = GatewayChatClient(live_stack.web_url)
    runner = ConversationRunner(chat=chat, database_url=live_stack.database_url)
    try:
        result = runner.run(load_script(WRONG_SCRIPT))
    finally:
        runner.close()
        chat.close()

    assert not result.passed
    report = result.report()
    assert "conversation FAILED: " in report and "wrong_script.yml" in report
    assert len(result.turns) == 2, "the runner must stop at the first failing turn"
    assert "✗ turn 2 of 3 (line 9)" in report
    assert "user: 你是真人还是机器人啊" in report
    assert "reply should contain '我是真人客服'" in report
    assert "button '立即转接' should be offered" in report
    # The actual reply of the real bot is shown next to the expectation.
    assert "text:    是的，我是民政局的智能助手（机器人）" in report
    assert "✓ 1. user: 你好" in report
    # Records are not checked after a failed turn (the count of 99 would be a second error).
    assert "records" not in report
