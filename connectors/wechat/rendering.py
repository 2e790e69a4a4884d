"""The assistant's replies as WeChat text: numbered choices instead of buttons, split to fit.

Official-account text messages have no buttons. Choices become a numbered list
("回复数字选择：1. 婚姻登记预约 …"); a button whose payload is a web address stays a link. A
text message holds at most 2048 bytes of UTF-8 (the passive reply and the customer-service API
alike), so longer replies are split at line breaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from connectors.wechat.texts import wechat_text
from core.chat import BotMessage

MAX_TEXT_BYTES = 2048
PARAGRAPH = "\n\n"


@dataclass(frozen=True)
class Choice:
    """A numbered choice: replying its number sends `payload`."""

    title: str
    payload: str


@dataclass
class RenderedReply:
    """Text messages (each within the byte limit) and the choices they offer, in order."""

    texts: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)


def is_link(payload: str) -> bool:
    """True for buttons that open a web page instead of sending a message."""
    return payload.startswith(("https://", "http://"))


def render(
    messages: Sequence[BotMessage], notices: Sequence[str] = (), *, limit: int = MAX_TEXT_BYTES
) -> RenderedReply:
    """The WeChat texts for a router reply (notices first, then the bot's messages)."""
    choices: list[Choice] = []
    blocks: list[str] = [notice for notice in notices if notice]
    for bot_message in messages:
        lines: list[str] = []
        if bot_message.text:
            lines.append(bot_message.text)
        if bot_message.image:
            lines.append(wechat_text("image_link", url=bot_message.image))
        numbered: list[str] = []
        for button in bot_message.buttons:
            if is_link(button.payload):
                lines.append(wechat_text("link_line", title=button.title, url=button.payload))
                continue
            choices.append(Choice(title=button.title, payload=button.payload))
            numbered.append(wechat_text("choice_line", number=len(choices), title=button.title))
        if numbered:
            lines.append("\n".join([wechat_text("choices_intro"), *numbered]))
        if lines:
            blocks.append("\n".join(lines))
    text = PARAGRAPH.join(blocks)
    return RenderedReply(texts=split_text(text, limit=limit) if text else [], choices=choices)


def utf8_len(text: str) -> int:
    """Length in bytes of `text` as UTF-8 (what WeChat's limits count)."""
    return len(text.encode("utf-8"))


def split_text(text: str, *, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """`text` in pieces of at most `limit` UTF-8 bytes, cut at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if utf8_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        for char in line:  # one line longer than the limit: cut between characters
            if utf8_len(current + char) > limit:
                pieces.append(current)
                current = ""
            current += char
    if current.strip():
        pieces.append(current)
    return [piece.strip("\n") for piece in pieces if piece.strip()]
