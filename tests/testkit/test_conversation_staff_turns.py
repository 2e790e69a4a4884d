"""The conversation runner's staff desk (`desk:` and `staff:` turns), without a live stack."""

from __future__ import annotations

import pytest

from testkit.conversations import ConversationRunner
from testkit.gateway_chat import BotReply
from testkit.script_format import ScriptFormatError
from tests.testkit.runner_support import SATURDAY, FakeChat, parse, run


class FakeDesk:
    """A staff member at the console: records what was done."""

    def __init__(self, *, open_by_hours: bool = False) -> None:
        self.open_by_hours = open_by_hours
        self.on_duty = False
        self.done: list[tuple[str, str]] = []

    def set_duty(self, *, on: bool) -> None:
        self.on_duty = on
        self.done.append(("duty", str(on)))

    def is_open(self) -> bool:
        return self.open_by_hours or self.on_duty

    def act(self, action: str, conversation_id: str) -> None:
        self.done.append((action, conversation_id))


STAFF_SCRIPT = """
    title: 工作人员接待中
    desk: open
    turns:
      - user: 转人工
        expect: 排在第
      - staff: claim
      - user: 我家低保卡丢了
        expect:
          silent: true
          receipt: 已送达人工客服
"""

QUEUED = BotReply(texts=("您目前排在第 1 位",))

RECEIPT = BotReply(receipt="已送达人工客服 小王")


def test_staff_turns_act_on_the_conversation_between_the_citizens_turns() -> None:
    desk = FakeDesk()
    chat = FakeChat({"转人工": QUEUED, "我家低保卡丢了": RECEIPT})
    runner = ConversationRunner(chat=chat, database_url=None, today=SATURDAY, desk=desk)
    result = runner.run(parse(STAFF_SCRIPT), sender="conv-staff-0001")
    assert result.passed, result.report()
    cid = "web-conv-staff-0001"
    assert desk.done == [("duty", "True"), ("claim", cid), ("duty", "False")]
    assert [turn.said for turn in result.turns][1] == "[staff] claim"


def test_a_bot_answer_or_a_missing_receipt_fails_while_staff_own_the_chat() -> None:
    chatty = BotReply(texts=("抱歉，我没太明白",))
    result, _ = run(STAFF_SCRIPT.replace("    desk: open\n", ""), {"转人工": QUEUED})
    assert not result.passed and "no staff desk client" in (result.error or "")
    for reply in (chatty, BotReply()):
        desk = FakeDesk()
        chat = FakeChat({"转人工": QUEUED, "我家低保卡丢了": reply})
        runner = ConversationRunner(chat=chat, database_url=None, today=SATURDAY, desk=desk)
        report = runner.run(parse(STAFF_SCRIPT)).report()
        assert "FAILED" in report
        assert ("say nothing" in report) == (reply is chatty)
        assert "the receipt should contain '已送达人工客服'" in report
        assert desk.done[-1] == ("duty", "False"), "duty is switched off after a failed script"


def test_a_closed_desk_script_fails_when_the_desk_is_open_by_the_hour() -> None:
    script = parse("title: t\ndesk: closed\nturns:\n  - user: 我不想活了\n")
    chat = FakeChat({"我不想活了": BotReply(texts=("请拨打 110",))})
    runner = ConversationRunner(
        chat=chat, database_url=None, today=SATURDAY, desk=FakeDesk(open_by_hours=True)
    )
    result = runner.run(script)
    assert not result.passed and "HANDOFF_DUTY_ONLY" in (result.error or "")
    assert chat.sent == []
    closed = ConversationRunner(chat=chat, database_url=None, today=SATURDAY, desk=FakeDesk())
    assert closed.run(script).passed


def test_a_staff_turn_checks_no_reply_and_needs_a_known_action() -> None:
    with pytest.raises(ScriptFormatError, match="records"):
        parse("title: t\nturns:\n  - staff: claim\n    expect: 你好\n")
    with pytest.raises(ScriptFormatError, match="staff"):
        parse("title: t\nturns:\n  - staff: dance\n")
    with pytest.raises(ScriptFormatError, match="exactly one"):
        parse("title: t\nturns:\n  - staff: claim\n    user: 你好\n")
