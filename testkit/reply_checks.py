"""Checking a reply against a script turn's ``expect:``, with the conversation's variables in.

The conversation runner and the benchmarks (``bench/``) check replies with these; every check
also fails a turn where a not-understood reply follows an answer (`fallback_after_reply`).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from actions.not_understood import FAILURE_RESPONSES
from testkit.gateway_chat import BotReply
from testkit.script_format import Expect
from testkit.script_vars import Variables

DOMAIN_DIR = Path(__file__).resolve().parent.parent / "bot" / "domain"


def render_expect(expect: Expect, variables: Variables) -> Expect:
    """`expect` with the conversation's variables filled in (escaped inside regexes)."""
    data: dict[str, Any] = expect.model_dump()
    for key, value in data.items():
        if isinstance(value, list):
            escape = re.escape if key == "matches" else None
            data[key] = [variables.render(item, escape=escape) for item in value]
    return Expect.model_validate(data)


def render_value(value: Any, variables: Variables) -> Any:
    """A records check's `where:` (strings, lists, mappings) with the variables filled in."""
    if isinstance(value, str):
        return variables.render(value)
    if isinstance(value, dict):
        return {key: render_value(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [render_value(item, variables) for item in value]
    return value


def check_reply(expect: Expect, reply: BotReply) -> list[str]:
    """Every way `reply` differs from `expect` (empty when it matches), one sentence each."""
    problems: list[str] = []
    text = reply.text
    titles = reply.button_titles
    for fragment in expect.contains:
        if fragment not in text:
            problems.append(f"reply should contain {fragment!r}{_closest_hint(fragment, text)}")
    for fragment in expect.not_contains:
        if fragment in text:
            problems.append(f"reply must not contain {fragment!r}")
    for pattern in expect.matches:
        if not re.search(pattern, text):
            problems.append(f"reply should match the pattern {pattern!r}")
    for title in expect.buttons:
        if title not in titles:
            problems.append(f"button {title!r} should be offered")
    for title in expect.not_buttons:
        if title in titles:
            problems.append(f"button {title!r} must not be offered")
    if expect.buttons_exactly is not None and titles != expect.buttons_exactly:
        problems.append(f"buttons should be exactly {button_list(expect.buttons_exactly)}")
    for fragment in expect.notices:
        if not any(fragment in notice for notice in reply.notices):
            problems.append(f"a notice should contain {fragment!r}")
    for fragment in expect.receipt:
        if fragment not in (reply.receipt or ""):
            problems.append(f"the receipt should contain {fragment!r}")
    if expect.silent and (reply.texts or reply.buttons):
        problems.append("the bot should say nothing (a person owns the conversation)")
    if fallback_after_reply(reply.texts):
        problems.append("a not-understood reply follows an answer in the same turn (never)")
    return problems


@functools.cache
def _not_understood_texts() -> tuple[str, ...]:
    """The first line of each not-understood response (bot/domain/base.yml)."""
    domain = yaml.safe_load((DOMAIN_DIR / "base.yml").read_text(encoding="utf-8"))
    responses = domain["responses"]
    return tuple(str(responses[name][0]["text"]).splitlines()[0] for name in FAILURE_RESPONSES)


def fallback_after_reply(texts: Sequence[str]) -> bool:
    """Whether "没太明白" (or its second form) comes after another message of one reply.

    Checked in every script, whatever it expects: a turn that was answered (已为您取消预约 …)
    never ends by saying it was not understood.
    """
    failed = [any(line in text for line in _not_understood_texts()) for text in texts]
    return any(failed[i] and not all(failed[:i]) for i in range(1, len(failed)))


def _closest_hint(fragment: str, text: str) -> str:
    """`; closest: "…"` — the stretch of `text` most like `fragment`, when one is similar."""
    if not text or not fragment:
        return ""
    width = len(fragment)
    windows = {text[i : i + width + 2] for i in range(max(1, len(text) - width + 1))}
    best = difflib.get_close_matches(fragment, list(windows), n=1, cutoff=0.5)
    return f"; closest in the reply: {best[0]!r}" if best else ""


def button_list(titles: Sequence[str]) -> str:
    """Button titles as a report shows them: "[是] [不是]", or "(none)"."""
    return " ".join(f"[{title}]" for title in titles) if titles else "(none)"
