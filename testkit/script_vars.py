r"""Placeholders in conversation scripts (`{next_working_day}`, `{today+7:md}`, `{sender}` …).

Scripts must not hard-code dates: a script written today would fail next month. Placeholders
are resolved when the script runs, from the day it runs and the script's own sender id.

Grammar: ``{name}``, ``{name+N}`` / ``{name-N}`` (date offsets) and ``{name:format}``.

Built-in names:

- ``today``, ``tomorrow``; ``today+N`` / ``today-N`` are calendar days.
- ``next_working_day``: the first working day after today (holidays and 调休 from zhtext.holidays);
  ``next_working_day+N`` is N working days after that one.
- ``next_week_mon`` … ``next_week_sun``: that weekday of next calendar week (what "下周三" means).
- ``sender``: the fresh sender id of this run; ``conversation_id``: the id the back office stores
  (``web-<sender>``).
- Script ``vars:`` may define more names; a var whose value is exactly one date placeholder stays
  a date (so ``{my_day:md}`` and ``{my_day+1}`` work).

Formats of a date: ``iso`` (default, 2026-12-02), ``md`` (12月2日), ``ymd`` (2026年12月2日),
``weekday`` (周三), ``compact`` (20261202). Text without a matching placeholder — regex
quantifiers like ``\d{8}`` — is left alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from zhtext.holidays import next_working_days

PLACEHOLDER = re.compile(r"\{(?P<name>[a-z_][a-z0-9_]*)(?P<offset>[+-]\d+)?(?::(?P<fmt>[a-z]+))?\}")

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

DATE_FORMATS: dict[str, Callable[[dt.date], str]] = {
    "iso": lambda day: day.isoformat(),
    "md": lambda day: f"{day.month}月{day.day}日",
    "ymd": lambda day: f"{day.year}年{day.month}月{day.day}日",
    "weekday": lambda day: WEEKDAY_NAMES[day.weekday()],
    "compact": lambda day: day.strftime("%Y%m%d"),
}

Value = dt.date | str


class VariableError(ValueError):
    """A placeholder names an unknown variable, a bad format or an offset on a text."""


def builtin_names() -> frozenset[str]:
    """Names every script can use without defining them."""
    weeks = {f"next_week_{key}" for key in _WEEKDAY_KEYS}
    return frozenset({"today", "tomorrow", "next_working_day", "sender", "conversation_id"} | weeks)


def placeholder_names(text: str) -> list[str]:
    """The variable names used in `text`, in order."""
    return [match["name"] for match in PLACEHOLDER.finditer(text)]


@dataclass(frozen=True)
class Variables:
    """The values placeholders resolve to during one run of a script.

    Attributes:
        today: The day the script runs.
        sender: The sender id of this run.
        conversation_id: The id the back office knows the conversation by.
        extra: Script-defined variables (already resolved).
    """

    today: dt.date
    sender: str
    conversation_id: str
    extra: Mapping[str, Value]

    @classmethod
    def build(
        cls,
        *,
        today: dt.date,
        sender: str,
        conversation_id: str,
        script_vars: Mapping[str, str] | None = None,
    ) -> Variables:
        """Resolve the script's own `vars` (in order; later ones may use earlier ones)."""
        variables = cls(today=today, sender=sender, conversation_id=conversation_id, extra={})
        resolved: dict[str, Value] = {}
        for name, template in (script_vars or {}).items():
            if name in builtin_names():
                raise VariableError(f"vars.{name}: {name!r} is a built-in name; choose another")
            current = cls(
                today=today, sender=sender, conversation_id=conversation_id, extra=resolved
            )
            resolved[name] = current.resolve_value(template)
        return cls(
            today=variables.today,
            sender=variables.sender,
            conversation_id=variables.conversation_id,
            extra=resolved,
        )

    def resolve_value(self, template: str) -> Value:
        """Like :meth:`render`, but a template that is exactly one date placeholder stays a date."""
        match = PLACEHOLDER.fullmatch(template.strip())
        if match and match["fmt"] is None:
            return self._lookup(match["name"], match["offset"])
        return self.render(template)

    def render(self, text: str, *, escape: Callable[[str], str] | None = None) -> str:
        """Replace every placeholder in `text`.

        Args:
            text: A script string.
            escape: Applied to each substituted value (``re.escape`` inside regexes).

        Raises:
            VariableError: Unknown name, unknown format, or an offset on a text value.
        """

        def substitute(match: re.Match[str]) -> str:
            value = self._lookup(match["name"], match["offset"])
            rendered = format_value(value, match["fmt"], placeholder=match[0])
            return escape(rendered) if escape else rendered

        return PLACEHOLDER.sub(substitute, text)

    def _lookup(self, name: str, offset_text: str | None) -> Value:
        offset = int(offset_text) if offset_text else 0
        value = self._base_value(name, offset)
        if isinstance(value, str):
            if offset:
                raise VariableError(f"{{{name}{offset_text}}}: {name} is a text, not a date")
            return value
        if name == "next_working_day":
            return value  # its offset counts working days, already applied
        return value + dt.timedelta(days=offset)

    def _base_value(self, name: str, offset: int) -> Value:
        if name in self.extra:
            return self.extra[name]
        if name == "today":
            return self.today
        if name == "tomorrow":
            return self.today + dt.timedelta(days=1)
        if name == "next_working_day":
            if offset < 0:
                raise VariableError("{next_working_day-N} is not supported; use {today-N}")
            return next_working_days(self.today, offset + 1)[-1].date
        if name.startswith("next_week_") and name.removeprefix("next_week_") in _WEEKDAY_KEYS:
            monday = self.today + dt.timedelta(days=7 - self.today.weekday())
            return monday + dt.timedelta(days=_WEEKDAY_KEYS.index(name.removeprefix("next_week_")))
        if name == "sender":
            return self.sender
        if name == "conversation_id":
            return self.conversation_id
        raise VariableError(
            f"unknown variable {{{name}}}; known: {', '.join(sorted(self.names()))}"
        )

    def names(self) -> set[str]:
        """Every name a placeholder may use in this run."""
        return set(builtin_names()) | set(self.extra)


def format_value(value: Value, fmt: str | None, *, placeholder: str) -> str:
    """Render a resolved value with an optional date format."""
    if isinstance(value, str):
        if fmt is not None:
            raise VariableError(f"{placeholder}: format {fmt!r} applies to dates, not texts")
        return value
    formatter = DATE_FORMATS.get(fmt or "iso")
    if formatter is None:
        raise VariableError(f"{placeholder}: unknown format {fmt!r}; use {', '.join(DATE_FORMATS)}")
    return formatter(value)


def check_placeholders(texts: Iterable[str], *, defined: Iterable[str]) -> list[str]:
    """Problems with the placeholders in `texts`: unknown names or formats (for validation)."""
    known = builtin_names() | set(defined)
    problems: list[str] = []
    for text in texts:
        for match in PLACEHOLDER.finditer(text):
            if match["name"] not in known:
                problems.append(
                    f"unknown variable {match[0]} in {text!r}; known: {', '.join(sorted(known))}"
                )
            elif match["fmt"] is not None and match["fmt"] not in DATE_FORMATS:
                problems.append(
                    f"unknown format in {match[0]}; use one of {', '.join(DATE_FORMATS)}"
                )
    return problems
