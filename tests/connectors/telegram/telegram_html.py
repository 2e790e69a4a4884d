"""Telegram's HTML parse mode as the fake Bot API server checks it (tests only).

`parse_html` gives what Telegram shows of an HTML message and the links in it, and refuses what
Telegram refuses ("can't parse entities"): tags it does not allow, unclosed entities, a stray `>`.
"""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
_TAG = re.compile(r"<(/?)([a-zA-Z]+)(\s[^<>]*)?>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+);")


def parse_html(text: str) -> tuple[str, list[str]]:
    """The visible text of an HTML message and its link targets, as Telegram parses it.

    Raises:
        ValueError: What Telegram answers with "can't parse entities".
    """
    visible: list[str] = []
    links: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if not match or match.group(2).lower() not in ALLOWED_TAGS:
                raise ValueError(f"Unsupported start tag at byte offset {position}")
            href = re.search(r'href="([^"]*)"', match.group(3) or "")
            if href:
                links.append(html.unescape(href.group(1)))
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if not match:
                raise ValueError(f"Unclosed entity at byte offset {position}")
            visible.append(html.unescape(match.group(0)))
            position = match.end()
        elif char == ">":
            raise ValueError("Unexpected end tag")
        else:
            visible.append(char)
            position += 1
    return "".join(visible), links
