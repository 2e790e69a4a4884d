"""The outcome of running one conversation script, and the report that explains a failure."""

from __future__ import annotations

from dataclasses import dataclass, field

from testkit.gateway_chat import BotReply
from testkit.reply_checks import button_list
from testkit.script_format import Expect, LoadedScript


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
    lines.append(f"{indent}buttons: {button_list(reply.button_titles)}")
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
