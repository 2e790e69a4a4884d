"""Shared pieces of the conversation runner tests: parsing a script, a fake chat, a run."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from testkit.conversations import ConversationRunner
from testkit.gateway_chat import BotReply, ChatError, ReplyButton
from testkit.script_format import LoadedScript, parse_script

SATURDAY = dt.date(2026, 11, 28)

MENU = BotReply(
    texts=("您好！我是智能助手。",),
    buttons=(
        ReplyButton("婚姻登记预约", "/request_marriage_booking"),
        ReplyButton("转人工", "/request_human"),
    ),
)


def parse(text: str, name: str = "case.yml") -> LoadedScript:
    return parse_script(textwrap.dedent(text), path=Path(name))


class FakeChat:
    """Answers from a table of message → reply and records what was sent."""

    def __init__(self, replies: dict[str, BotReply]) -> None:
        self.replies = replies
        self.sent: list[tuple[str, str]] = []

    def send(self, sender: str, message: str) -> BotReply:
        self.sent.append((sender, message))
        if message not in self.replies:
            raise ChatError(f"503 for {message!r}")
        return self.replies[message]


def run(text: str, replies: dict[str, BotReply], database_url: str | None = None):
    chat = FakeChat(replies)
    runner = ConversationRunner(chat=chat, database_url=database_url, today=SATURDAY)
    result = runner.run(parse(text))
    runner.close()
    return result, chat
