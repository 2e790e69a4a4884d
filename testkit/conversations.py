"""Conversation scripts: what a citizen says or clicks, what the bot answers, what is stored.

Scripts (``tests/conversations/*.yml``) are read and validated by testkit.script_format; the
format is documented for testers in tests/README.md.

Running a script sends each turn through the web gateway (``POST /api/chat``) with a fresh sender
id, checks the reply, and after the last turn checks rows in the back-office database. A failure
reads as a small report: turn number, what the user said, what was expected, what the bot said and
offered, the conversation so far.

Command line (against a running stack, or a fresh one when no URL is given)::

    .venv/bin/python -m testkit.conversations tests/conversations/base_greeting.yml
    .venv/bin/python -m testkit.conversations --web-url http://127.0.0.1:8000 FILE...
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import functools
import re
import sys
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
import yaml
from sqlalchemy import Engine, create_engine

from core.chat import conversation_id as make_conversation_id
from testkit.records import RecordQueryError, count_rows
from testkit.script_format import (
    Expect,
    LoadedScript,
    RecordCheck,
    Script,
    ScriptFormatError,
    Turn,
    discover_scripts,
    load_script,
    parse_script,
)
from testkit.script_vars import VariableError, Variables
from testkit.staff_desk import DeskClient, DeskError, StaffDeskClient
from zhtext.city_time import city_today

__all__ = [
    "BotReply",
    "ChatClient",
    "ChatError",
    "ConversationRunner",
    "Expect",
    "GatewayChatClient",
    "LoadedScript",
    "RecordCheck",
    "ReplyButton",
    "Script",
    "ScriptFormatError",
    "ScriptResult",
    "Turn",
    "check_reply",
    "discover_scripts",
    "load_script",
    "new_sender",
    "parse_script",
]

CHAT_CHANNEL = "web"
DOMAIN_DIR = Path(__file__).resolve().parent.parent / "bot" / "domain"
NOT_UNDERSTOOD = ("utter_ask_rephrase", "utter_offer_human")
CHAT_TIMEOUT_SECONDS = 60.0
_SENDER_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


# ---------------------------------------------------------------------------------------------
# Talking to the bot
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyButton:
    """A button of a bot message."""

    title: str
    payload: str


@dataclass(frozen=True)
class BotReply:
    """Everything the gateway answered to one message."""

    texts: tuple[str, ...] = ()
    buttons: tuple[ReplyButton, ...] = ()
    notices: tuple[str, ...] = ()
    receipt: str | None = None

    @property
    def text(self) -> str:
        """All message texts, one per line."""
        return "\n".join(self.texts)

    @property
    def button_titles(self) -> list[str]:
        """Titles of all buttons, in order."""
        return [button.title for button in self.buttons]

    @classmethod
    def from_gateway(cls, body: dict[str, Any]) -> BotReply:
        """Build from the JSON of ``POST /api/chat``."""
        messages = body.get("messages") or []
        return cls(
            texts=tuple(m["text"] for m in messages if m.get("text")),
            buttons=tuple(
                ReplyButton(title=b["title"], payload=b["payload"])
                for m in messages
                for b in m.get("buttons") or []
            ),
            notices=tuple(body.get("notices") or []),
            receipt=body.get("receipt") or None,
        )


class ChatError(RuntimeError):
    """The gateway did not answer with a reply (HTTP error, 5xx, bad JSON)."""


class ChatClient(Protocol):
    """Sends one message of a citizen and returns the reply."""

    def send(self, sender: str, message: str) -> BotReply:
        """Send `message` as `sender`."""
        ...


class GatewayChatClient:
    """Talks to the web gateway's chat endpoint, as the web chat page does.

    Args:
        web_url: Base URL of the web app.
        timeout: Seconds to wait for one reply.
        transport: Optional transport, for tests.
    """

    def __init__(
        self,
        web_url: str,
        *,
        timeout: float = CHAT_TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = web_url.rstrip("/") + "/api/chat"
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def send(self, sender: str, message: str) -> BotReply:
        """Post one message; raise ChatError unless the answer is 200 with a reply body."""
        try:
            response = self._http.post(self._url, json={"sender": sender, "message": message})
        except httpx.HTTPError as error:
            raise ChatError(f"POST {self._url} failed: {error}") from None
        if response.status_code != httpx.codes.OK:
            raise ChatError(f"POST {self._url} answered {response.status_code}: {response.text}")
        try:
            return BotReply.from_gateway(response.json())
        except (ValueError, KeyError, TypeError) as error:
            raise ChatError(f"unexpected reply body {response.text[:300]!r}: {error}") from None

    def close(self) -> None:
        """Close the connections."""
        self._http.close()


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------


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
        problems.append(f"buttons should be exactly {_titles(expect.buttons_exactly)}")
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
    return tuple(
        str(domain["responses"][name][0]["text"]).splitlines()[0] for name in NOT_UNDERSTOOD
    )


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


def _titles(titles: Sequence[str]) -> str:
    return " ".join(f"[{title}]" for title in titles) if titles else "(none)"


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


@dataclass
class TurnOutcome:
    """What happened in one turn."""

    number: int
    line: int | None
    said: str
    sent: str
    reply: BotReply | None
    expect: Expect
    problems: list[str] = field(default_factory=list)


@dataclass
class ScriptResult:
    """The outcome of one run of a script; `report()` explains a failure."""

    loaded: LoadedScript
    sender: str
    turns: list[TurnOutcome] = field(default_factory=list)
    record_problems: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        """True when every turn and every records check passed."""
        return (
            self.error is None
            and not self.record_problems
            and all(not turn.problems for turn in self.turns)
        )

    def report(self) -> str:
        """A readable account of the run: where it went wrong, expected vs. actual, transcript."""
        script = self.loaded.script
        status = "passed" if self.passed else "FAILED"
        lines = [
            f"conversation {status}: {self.loaded.path} — {script.title}",
            f"  sender {self.sender}, {len(self.turns)}/{len(script.turns)} turn(s) run",
        ]
        failed = next((turn for turn in self.turns if turn.problems), None)
        if failed is not None:
            lines += _failed_turn_lines(failed, len(script.turns))
        if self.error:
            lines += ["", f"✗ {self.error}"]
        if self.record_problems:
            lines += ["", "✗ back-office records:", *(f"    {p}" for p in self.record_problems)]
        if self.turns and not self.passed:
            lines += ["", "conversation so far:", *_transcript(self.turns)]
        return "\n".join(lines)


def _failed_turn_lines(turn: TurnOutcome, total: int) -> list[str]:
    where = f"turn {turn.number} of {total}" + (f" (line {turn.line})" if turn.line else "")
    lines = ["", f"✗ {where}", f"  user: {turn.said}"]
    if turn.sent != turn.said:
        lines.append(f"  sent: {turn.sent}")
    lines += [f"    - {problem}" for problem in turn.problems]
    lines += ["  expected:", *_expect_lines(turn.expect)]
    lines += ["  actual:", *_reply_lines(turn.reply, indent="    ")]
    return lines


def _expect_lines(expect: Expect) -> list[str]:
    shown = expect.model_dump(exclude_defaults=True)
    if not shown:
        return ["    (nothing checked)"]
    return [f"    {key}: {value}" for key, value in shown.items()]


def _reply_lines(reply: BotReply | None, *, indent: str) -> list[str]:
    if reply is None:
        return [f"{indent}(no reply)"]
    texts = reply.text.splitlines() or ["(no text)"]
    lines = [f"{indent}text:    {texts[0]}", *(f"{indent}         {t}" for t in texts[1:])]
    lines.append(f"{indent}buttons: {_titles(reply.button_titles)}")
    if reply.notices:
        lines.append(f"{indent}notices: {' / '.join(reply.notices)}")
    if reply.receipt:
        lines.append(f"{indent}receipt: {reply.receipt}")
    return lines


def _transcript(turns: list[TurnOutcome]) -> list[str]:
    lines: list[str] = []
    for turn in turns:
        if turn.problems:
            lines.append(f"  ✗ {turn.number}. user: {turn.said}   (reply shown above)")
            continue
        lines.append(f"  ✓ {turn.number}. user: {turn.said}")
        lines += _reply_lines(turn.reply, indent="       ")
    return lines


def new_sender(script_name: str) -> str:
    """A fresh sender id (8–64 of [A-Za-z0-9_-]) that shows which script it belongs to."""
    stem = _SENDER_UNSAFE.sub("-", script_name).strip("-")[:40] or "script"
    return f"conv-{stem}-{uuid.uuid4().hex[:10]}"


class ConversationRunner:
    """Runs scripts through a chat client and checks records in the back-office database.

    Args:
        chat: How messages reach the bot (the gateway in real runs, a fake in unit tests).
        database_url: SQLAlchemy URL of the back office (None: scripts with records fail).
        today: The day placeholders are computed from (default: the real today).
        desk: A staff member at the console (None: scripts with `desk:` or `staff:` fail).
    """

    def __init__(
        self,
        *,
        chat: ChatClient,
        database_url: str | None,
        today: dt.date | None = None,
        desk: DeskClient | None = None,
    ) -> None:
        self._chat = chat
        self._database_url = database_url
        self._engine: Engine | None = None
        self._today = today
        self._desk = desk

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()

    def run(self, loaded: LoadedScript, *, sender: str | None = None) -> ScriptResult:
        """Play the script turn by turn; stop at the first turn that fails."""
        script = loaded.script
        sender = sender or new_sender(loaded.name)
        result = ScriptResult(loaded=loaded, sender=sender)
        try:
            variables = Variables.build(
                today=self._today or city_today(),
                sender=sender,
                conversation_id=make_conversation_id(CHAT_CHANNEL, sender),
                script_vars=script.vars,
            )
        except VariableError as error:
            result.error = f"vars: {error}"
            return result
        needs_desk = script.desk is not None or any(t.staff for t in script.turns)
        if needs_desk and self._desk is None:
            result.error = "the script uses `desk:` or `staff:` but no staff desk client was given"
            return result
        try:
            result.error = self._set_up_desk(script.desk)
            if result.error is None:
                self._play(loaded, variables, sender, result)
        except DeskError as error:
            result.error = f"staff desk: {error}"
        finally:
            if script.desk == "open" and self._desk is not None:
                with contextlib.suppress(DeskError):  # the script's own outcome matters more
                    self._desk.set_duty(on=False)
        return result

    def _set_up_desk(self, desk: str | None) -> str | None:
        """Open the desk (duty on) or make sure it is closed; a problem, or None."""
        if desk is None or self._desk is None:
            return None
        self._desk.set_duty(on=desk == "open")
        if desk == "closed" and self._desk.is_open():
            return (
                "desk: closed, but the desk is open now (office hours or someone on duty); "
                "the test stack runs without office hours (HANDOFF_DUTY_ONLY=true)"
            )
        return None

    def _play(
        self, loaded: LoadedScript, variables: Variables, sender: str, result: ScriptResult
    ) -> None:
        script = loaded.script
        previous: BotReply | None = None
        for index, turn in enumerate(script.turns):
            if turn.staff is not None:
                outcome = self._staff_turn(index, turn, loaded, variables)
            else:
                outcome = self._play_turn(index, turn, loaded, variables, previous, sender)
            result.turns.append(outcome)
            if outcome.problems:
                return
            if outcome.reply is not None:
                previous = outcome.reply
        result.record_problems = self._check_records(script.records, variables, loaded.record_lines)

    def _staff_turn(
        self, index: int, turn: Turn, loaded: LoadedScript, variables: Variables
    ) -> TurnOutcome:
        """A staff member acts on this conversation's ticket; then the turn's records checks."""
        assert self._desk is not None and turn.staff is not None
        line = loaded.turn_lines[index] if index < len(loaded.turn_lines) else None
        outcome = TurnOutcome(
            number=index + 1, line=line, said=turn.action_text(), sent="", reply=None,
            expect=turn.expect,
        )  # fmt: skip
        try:
            self._desk.act(turn.staff, variables.render("{conversation_id}"))
        except DeskError as error:
            outcome.problems.append(f"staff {turn.staff} failed: {error}")
            return outcome
        outcome.problems += self._check_records(turn.records, variables, ())
        return outcome

    def _play_turn(
        self,
        index: int,
        turn: Turn,
        loaded: LoadedScript,
        variables: Variables,
        previous: BotReply | None,
        sender: str,
    ) -> TurnOutcome:
        line = loaded.turn_lines[index] if index < len(loaded.turn_lines) else None
        outcome = TurnOutcome(
            number=index + 1,
            line=line,
            said=turn.action_text(),
            sent="",
            reply=None,
            expect=turn.expect,
        )
        try:
            outcome.expect = _render_expect(turn.expect, variables)
            message, outcome.said = self._message_for(turn, variables, previous)
        except (VariableError, LookupError) as error:
            outcome.problems.append(str(error))
            return outcome
        outcome.sent = message
        try:
            outcome.reply = self._chat.send(sender, message)
        except ChatError as error:
            outcome.problems.append(f"the gateway gave no reply: {error}")
            return outcome
        outcome.problems = check_reply(outcome.expect, outcome.reply)
        outcome.problems += self._check_records(turn.records, variables, ())
        return outcome

    @staticmethod
    def _message_for(
        turn: Turn, variables: Variables, previous: BotReply | None
    ) -> tuple[str, str]:
        """(message to send, what to show as said) for a typed or clicked turn."""
        if turn.user is not None:
            text = variables.render(turn.user)
            return text, text
        title = variables.render(turn.click or "")
        offered = previous.buttons if previous else ()
        for button in offered:
            if button.title.strip() == title.strip():
                return button.payload, f"[click] {title}"
        raise LookupError(
            f"cannot click {title!r}: the previous reply offered "
            f"{_titles([b.title for b in offered])}"
        )

    def _check_records(
        self, checks: list[RecordCheck], variables: Variables, lines: Sequence[int]
    ) -> list[str]:
        problems: list[str] = []
        for index, check in enumerate(checks):
            label = f"records check {index + 1}" + (
                f" (line {lines[index]})" if index < len(lines) else ""
            )
            problem = self._check_one_record(check, variables)
            if problem:
                problems.append(f"{label}: {problem}")
        return problems

    def _check_one_record(self, check: RecordCheck, variables: Variables) -> str | None:
        if self._database_url is None:
            return "no database URL given, cannot check records"
        if self._engine is None:
            self._engine = create_engine(self._database_url)
        try:
            where = _render_value(check.where, variables)
            found = count_rows(self._engine, table=check.table, where=where)
        except (RecordQueryError, VariableError) as error:
            return str(error)
        expected_ok = found.matched >= 1 if check.count is None else found.matched == check.count
        if expected_ok:
            return None
        rendered = check.model_copy(update={"where": where})
        sample = "".join(f"\n        {row}" for row in found.sample) or " (table is empty)"
        return (
            f"expected {rendered.describe()}, found {found.matched}; "
            f"{found.total} row(s) in {check.table}, first ones:{sample}"
        )


def _render_expect(expect: Expect, variables: Variables) -> Expect:
    return Expect(
        contains=[variables.render(t) for t in expect.contains],
        not_contains=[variables.render(t) for t in expect.not_contains],
        buttons=[variables.render(t) for t in expect.buttons],
        not_buttons=[variables.render(t) for t in expect.not_buttons],
        buttons_exactly=None
        if expect.buttons_exactly is None
        else [variables.render(t) for t in expect.buttons_exactly],
        matches=[variables.render(t, escape=re.escape) for t in expect.matches],
        notices=[variables.render(t) for t in expect.notices],
        receipt=[variables.render(t) for t in expect.receipt],
        silent=expect.silent,
    )


def _render_value(value: Any, variables: Variables) -> Any:
    if isinstance(value, str):
        return variables.render(value)
    if isinstance(value, dict):
        return {key: _render_value(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [_render_value(item, variables) for item in value]
    return value


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def run_files(
    paths: Iterable[Path], *, web_url: str, database_url: str | None
) -> list[ScriptResult | ScriptFormatError]:
    """Load and run each script against a running stack; format errors are returned, not raised."""
    chat = GatewayChatClient(web_url)
    desk = StaffDeskClient(web_url)
    runner = ConversationRunner(chat=chat, database_url=database_url, desk=desk)
    outcomes: list[ScriptResult | ScriptFormatError] = []
    try:
        for path in paths:
            try:
                loaded = load_script(path)
            except ScriptFormatError as error:
                outcomes.append(error)
                continue
            outcomes.append(runner.run(loaded))
    finally:
        runner.close()
        chat.close()
        desk.close()
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    """Run scripts; print a report for each; exit 1 when any failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("files", nargs="+", type=Path, help="conversation scripts (*.yml)")
    parser.add_argument("--web-url", help="a running web app; default: start a fresh stack")
    parser.add_argument("--database-url", help="its back-office database (for records checks)")
    args = parser.parse_args(argv)
    if args.web_url:
        outcomes = run_files(args.files, web_url=args.web_url, database_url=args.database_url)
    else:
        from testkit.stack import LiveStack  # only this path starts processes

        with LiveStack.start() as stack:
            outcomes = run_files(args.files, web_url=stack.web_url, database_url=stack.database_url)
    failures = 0
    for outcome in outcomes:
        if isinstance(outcome, ScriptFormatError):
            failures += 1
            print(outcome, end="\n\n")
        else:
            failures += not outcome.passed
            print(outcome.report() if not outcome.passed else f"ok  {outcome.loaded.path}")
    print(f"{len(outcomes) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
