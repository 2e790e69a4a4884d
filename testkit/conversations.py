"""Conversation scripts: what a citizen says or clicks, what the bot answers, what is stored.

Scripts (``tests/conversations/*.yml``) are read and validated by testkit.script_format; the
format is documented for testers in tests/README.md. The gateway client is
testkit.gateway_chat, the reply checks testkit.reply_checks, the report testkit.script_report.

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
import re
import sys
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import Engine, create_engine

from core.chat import conversation_id as make_conversation_id
from testkit.gateway_chat import BotReply, ChatClient, ChatError, GatewayChatClient
from testkit.records import RecordQueryError, count_rows
from testkit.reply_checks import button_list, check_reply, render_expect, render_value
from testkit.script_format import LoadedScript, RecordCheck, ScriptFormatError, Turn, load_script
from testkit.script_report import ScriptResult, TurnOutcome
from testkit.script_vars import VariableError, Variables
from testkit.staff_desk import DeskClient, DeskError, StaffDeskClient
from zhtext.city_time import city_today

CHAT_CHANNEL = "web"
_SENDER_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def new_sender(script_name: str) -> str:
    """A fresh sender id (8–64 of [A-Za-z0-9_-]) that shows which script it belongs to."""
    stem = _SENDER_UNSAFE.sub("-", script_name).strip("-")[:40] or "script"
    return f"conv-{stem}-{uuid.uuid4().hex[:10]}"


def turn_message(turn: Turn, variables: Variables, previous: BotReply | None) -> str | None:
    """What a typed or clicked turn sends: the text, or the payload of the button clicked.

    None when the previous reply offered no button with the clicked title.
    """
    if turn.user is not None:
        return variables.render(turn.user)
    return (previous or BotReply()).payload_for(variables.render(turn.click or ""))


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
            outcome.expect = render_expect(turn.expect, variables)
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
        offered = previous or BotReply()
        payload = offered.payload_for(title)
        if payload is not None:
            return payload, f"[click] {title}"
        raise LookupError(
            f"cannot click {title!r}: the previous reply offered "
            f"{button_list(offered.button_titles)}"
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
            where = render_value(check.where, variables)
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
