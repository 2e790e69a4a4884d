"""Every conversation script in tests/conversations runs through the live stack.

`make test-conversations FILE=tests/conversations/x.yml` (or CONVERSATION_FILES="a.yml b.yml")
runs only the named scripts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.conversations import ConversationRunner
from testkit.gateway_chat import GatewayChatClient
from testkit.script_format import ScriptFormatError, discover_scripts, load_script
from testkit.stack import LiveStack
from testkit.staff_desk import StaffDeskClient

pytestmark = pytest.mark.e2e

SCRIPTS_DIR = Path(__file__).resolve().parent
SCRIPTS = discover_scripts(SCRIPTS_DIR, os.environ.get("CONVERSATION_FILES"))


@pytest.fixture(scope="module")
def runner(live_stack: LiveStack) -> Iterator[ConversationRunner]:
    chat = GatewayChatClient(live_stack.web_url)
    desk = StaffDeskClient(live_stack.web_url)
    conversation_runner = ConversationRunner(
        chat=chat, database_url=live_stack.database_url, desk=desk
    )
    yield conversation_runner
    conversation_runner.close()
    chat.close()
    desk.close()


def test_there_are_scripts() -> None:
    assert SCRIPTS, f"no conversation scripts in {SCRIPTS_DIR}"


@pytest.mark.parametrize("path", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_conversation(path: Path, runner: ConversationRunner) -> None:
    try:
        loaded = load_script(path)
    except ScriptFormatError as error:
        pytest.fail(str(error), pytrace=False)
    result = runner.run(loaded)
    if not result.passed:
        pytest.fail(result.report(), pytrace=False)
