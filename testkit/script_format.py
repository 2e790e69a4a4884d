"""The format of conversation scripts: pydantic models, loading, and clear format errors.

A script is read with every scalar kept as the text the tester typed (``user: no`` stays "no",
``user: 2026-12-02`` stays a text), then validated. Problems name the file, the turn and its line.
The format is documented for testers in tests/README.md (section 对话脚本).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.nested import strings_in
from testkit.script_vars import check_placeholders

# ---------------------------------------------------------------------------------------------
# The format
# ---------------------------------------------------------------------------------------------


def _as_list(value: Any) -> Any:
    """Let a single text stand for a one-item list (``contains: 您好``)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return value


class Expect(BaseModel):
    """What the bot's reply to one turn must (not) show."""

    model_config = ConfigDict(extra="forbid")

    contains: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)
    buttons: list[str] = Field(default_factory=list)
    not_buttons: list[str] = Field(default_factory=list)
    buttons_exactly: list[str] | None = None
    matches: list[str] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)
    # The quiet status while staff answer ("已送达人工客服 小王"), not a message.
    receipt: list[str] = Field(default_factory=list)
    # True: no message and no button at all (a person owns the conversation, the bot is silent).
    silent: bool = False

    @field_validator("contains", "not_contains", "buttons", "not_buttons", "matches", "notices",
                     "receipt", mode="before")  # fmt: skip
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("matches")
    @classmethod
    def _valid_regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"bad regex {pattern!r}: {error}") from None
        return patterns

    def texts(self) -> list[str]:
        """Every string of this expectation (for placeholder checks)."""
        return [
            *self.contains, *self.not_contains, *self.buttons, *self.not_buttons,
            *(self.buttons_exactly or []), *self.matches, *self.notices, *self.receipt,
        ]  # fmt: skip

    def is_empty(self) -> bool:
        """True when nothing is checked."""
        return not self.texts() and self.buttons_exactly is None and not self.silent


class RecordCheck(BaseModel):
    """Rows that must exist in the back office: ``table``, ``where`` conditions, ``count``."""

    model_config = ConfigDict(extra="forbid")

    table: str = Field(min_length=1)
    where: dict[str, Any] = Field(default_factory=dict)
    count: int | None = Field(default=None, ge=0)

    @field_validator("where", mode="before")
    @classmethod
    def _empty_where(cls, value: Any) -> Any:
        return {} if value in (None, "") else value

    def texts(self) -> list[str]:
        """Every string of the conditions (for placeholder checks)."""
        return list(strings_in(self.where))

    def describe(self) -> str:
        """One line: ``marriage_bookings where status=booked, count 1``."""
        conditions = ", ".join(f"{key}={value}" for key, value in self.where.items())
        how_many = "at least 1" if self.count is None else f"exactly {self.count}"
        return f"{self.table}{' where ' + conditions if conditions else ''} ({how_many} row(s))"


StaffAction = Literal["claim", "hand_back", "close"]


class Turn(BaseModel):
    """One thing that happens, and the checks.

    The citizen says `user` or clicks a button by title (`click`), or a staff member acts on this
    conversation's ticket (`staff: claim | hand_back | close`).
    """

    model_config = ConfigDict(extra="forbid")

    user: str | None = None
    click: str | None = None
    staff: StaffAction | None = None
    expect: Expect = Field(default_factory=Expect)
    records: list[RecordCheck] = Field(default_factory=list)

    @field_validator("expect", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # `expect: 您好` or `expect: [a, b]` mean `contains`.
        if value is None or value == "":
            return {}
        if isinstance(value, str | list):
            return {"contains": _as_list(value)}
        return value

    @model_validator(mode="after")
    def _one_action(self) -> Turn:
        if [self.user, self.click, self.staff].count(None) != 2:
            raise ValueError(
                "a turn needs exactly one of `user:` (what is typed), `click:` or `staff:`"
            )
        if self.staff is not None and not self.expect.is_empty():
            raise ValueError("a `staff:` turn has no reply to check: use `records:` only")
        return self

    def action_text(self) -> str:
        """What the citizen (or the staff member) does, as shown in reports."""
        if self.staff is not None:
            return f"[staff] {self.staff}"
        return self.user if self.user is not None else f"[click] {self.click}"


class Script(BaseModel):
    """A conversation script."""

    model_config = ConfigDict(extra="forbid")

    version: str | None = None  # accepted (every YAML of the repo starts with it), not used
    title: str = Field(min_length=1)
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    # open: a staff member switches on duty for the script (and off after); closed: nobody is on
    # duty and the desk must be closed (the test stack has no office hours: HANDOFF_DUTY_ONLY).
    desk: Literal["open", "closed"] | None = None
    vars: dict[str, str] = Field(default_factory=dict)
    turns: list[Turn] = Field(min_length=1)
    records: list[RecordCheck] = Field(default_factory=list)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("vars", mode="before")
    @classmethod
    def _no_vars(cls, value: Any) -> Any:
        return {} if value in (None, "") else value

    @field_validator("records", mode="before")
    @classmethod
    def _no_records(cls, value: Any) -> Any:
        return [] if value in (None, "") else value

    def placeholder_problems(self) -> list[tuple[str, str]]:
        """(where, problem) for every placeholder that names nothing known."""
        problems: list[tuple[str, str]] = []
        defined: list[str] = []
        for name, template in self.vars.items():
            problems += [
                (f"vars.{name}", p) for p in check_placeholders([template], defined=defined)
            ]
            defined.append(name)
        for index, turn in enumerate(self.turns):
            texts = [turn.user or "", turn.click or "", *turn.expect.texts()]
            texts += [text for check in turn.records for text in check.texts()]
            problems += [(f"turns.{index}", p) for p in check_placeholders(texts, defined=defined)]
        for index, check in enumerate(self.records):
            problems += [
                (f"records.{index}", p) for p in check_placeholders(check.texts(), defined=defined)
            ]
        return problems


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


class ScriptFormatError(ValueError):
    """A script file cannot be read or does not follow the format; the message says where."""


@dataclass(frozen=True)
class LoadedScript:
    """A validated script and where it came from.

    Attributes:
        path: The file.
        script: Its content.
        turn_lines: Line of each turn in the file (1-based), for reports.
        record_lines: Line of each final records check.
    """

    path: Path
    script: Script
    turn_lines: tuple[int, ...]
    record_lines: tuple[int, ...]

    @property
    def name(self) -> str:
        """The file name without extension (the pytest id)."""
        return self.path.stem


def load_script(path: Path) -> LoadedScript:
    """Read and validate one script.

    Raises:
        ScriptFormatError: Naming the file, the turn (1-based) and its line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScriptFormatError(f"{path}: cannot read: {error}") from None
    return parse_script(text, path=path)


def parse_script(text: str, *, path: Path) -> LoadedScript:
    """Validate the YAML text of a script (see :func:`load_script`)."""
    try:
        # BaseLoader keeps every scalar as typed: no yes/no → bool, no dates, no octal numbers.
        raw = yaml.load(text, Loader=yaml.BaseLoader)
        root = yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as error:
        raise ScriptFormatError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ScriptFormatError(f"{path}: a script is a mapping with `title:` and `turns:`")
    turn_lines = _item_lines(root, "turns")
    record_lines = _item_lines(root, "records")
    try:
        script = Script.model_validate(raw)
    except ValidationError as error:
        problems = [_describe_error(item, turn_lines, record_lines) for item in error.errors()]
        raise ScriptFormatError(_format_problems(path, problems)) from None
    placeholder_problems = [
        f"{_location(tuple(where.split('.')), turn_lines, record_lines)}: {problem}"
        for where, problem in script.placeholder_problems()
    ]
    if placeholder_problems:
        raise ScriptFormatError(_format_problems(path, placeholder_problems))
    return LoadedScript(
        path=path, script=script, turn_lines=tuple(turn_lines), record_lines=tuple(record_lines)
    )


def _format_problems(path: Path, problems: list[str]) -> str:
    lines = [f"{path}: not a valid conversation script ({len(problems)} problem(s)):"]
    lines += [f"  - {problem}" for problem in problems]
    lines.append("  (format: tests/README.md, section 对话脚本)")
    return "\n".join(lines)


def _item_lines(root: yaml.Node | None, key: str) -> list[int]:
    if not isinstance(root, yaml.MappingNode):
        return []
    for key_node, value_node in root.value:
        if key_node.value == key and isinstance(value_node, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value_node.value]
    return []


def _describe_error(item: Any, turn_lines: list[int], record_lines: list[int]) -> str:
    loc = tuple(str(part) for part in item["loc"])
    message = str(item["msg"]).removeprefix("Value error, ")
    if item["type"] == "extra_forbidden":
        message = f"unknown key `{loc[-1]}` (check the spelling)"
        loc = loc[:-1]
    elif item["type"] == "missing":
        message = f"`{loc[-1]}` is missing"
        loc = loc[:-1]
    return f"{_location(loc, turn_lines, record_lines)}: {message}"


def _location(loc: tuple[str, ...], turn_lines: list[int], record_lines: list[int]) -> str:
    """``turn 3 (line 14) → expect.contains`` from a pydantic location."""
    if not loc:
        return "script"
    head, rest = loc[0], list(loc[1:])
    if head in ("turns", "records") and rest and rest[0].isdigit():
        index = int(rest.pop(0))
        lines = turn_lines if head == "turns" else record_lines
        line = f" (line {lines[index]})" if index < len(lines) else ""
        label = f"turn {index + 1}" if head == "turns" else f"records check {index + 1}"
        rest = [part for part in rest if not part.startswith("function-")]
        return f"{label}{line}" + (f" → {'.'.join(rest)}" if rest else "")
    return ".".join(loc)


def discover_scripts(directory: Path, selected: str | None = None) -> list[Path]:
    """The scripts to run: every ``*.yml`` in `directory`, or the space-separated `selected` paths.

    Raises:
        ScriptFormatError: A selected file does not exist.
    """
    if selected and selected.strip():
        paths = [Path(item) for item in selected.split()]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            raise ScriptFormatError(f"no such conversation script: {', '.join(missing)}")
        return paths
    return sorted(directory.glob("*.yml"))
