"""The editor-kept handoff policy `knowledge/policies/handoff.yml`: hours, queue, crisis words.

Read once per process (`load_policy()`); tests build a `HandoffPolicy` from a dict.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from core.settings import PROJECT_ROOT
from zhtext.holidays import is_working_day

POLICY_FILE = PROJECT_ROOT / "knowledge" / "policies" / "handoff.yml"
_PUNCTUATION = re.compile(r"[\s，。！？!?,.、~～…]+")
# A line break of a folded YAML text becomes a space; between Chinese sentences, or next to
# Chinese punctuation, that space is a stray one ("…120（急救）。 您也可以…").
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_CLOSE = "。，；：！？、）」』】》"
_CJK_OPEN = "（「『【《"
_STRAY_SPACE = re.compile(
    rf"(?<=[{_CJK_CLOSE}])\s+|\s+(?=[{_CJK_CLOSE}{_CJK_OPEN}])|(?<=[{_HAN}])\s+(?=[{_HAN}])"
)
_SEARCH_DAYS = 30


class HandoffPolicyError(ValueError):
    """The handoff policy file is malformed."""


@dataclass(frozen=True)
class Session:
    """One staffed period of a working day (local time, end exclusive)."""

    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class OfficeHours:
    """When hotline staff take conversations.

    Attributes:
        zone: Local time zone.
        sessions: Staffed periods of every working day, in order.
        description: How the hours are told to citizens.
        working_day: Returns True when a day is a working day (holidays and 调休 considered).
    """

    zone: ZoneInfo
    sessions: tuple[Session, ...]
    description: str
    working_day: Callable[[dt.date], bool] = is_working_day

    def local(self, moment: dt.datetime) -> dt.datetime:
        """`moment` (aware, or naive UTC) in local time."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(self.zone)

    def is_open(self, moment: dt.datetime) -> bool:
        """True when `moment` falls in a session of a working day."""
        local = self.local(moment)
        if not self.working_day(local.date()):
            return False
        now = local.time()
        return any(session.start <= now < session.end for session in self.sessions)

    def next_opening(self, moment: dt.datetime) -> dt.datetime | None:
        """The next start of a session after `moment` (local time), None if none within 30 days."""
        local = self.local(moment)
        for offset in range(_SEARCH_DAYS + 1):
            day = local.date() + dt.timedelta(days=offset)
            if not self.working_day(day):
                continue
            for session in self.sessions:
                start = dt.datetime.combine(day, session.start, tzinfo=self.zone)
                if start > local:
                    return start
        return None


@dataclass(frozen=True)
class CrisisCategory:
    """A kind of emergency, the words that reveal it and what the citizen is told at once.

    Attributes:
        reply: The emergency and 24-hour numbers, always first, in or out of office hours.
        handover: Said after `reply` only while staff take conversations ("我已经为您紧急转接…").
    """

    code: str
    label: str
    words: tuple[str, ...]
    reply: str
    handover: str = ""


@dataclass(frozen=True)
class CrisisWords:
    """Deterministic crisis detection on normalised citizen text (literal substring match)."""

    categories: tuple[CrisisCategory, ...]

    def detect(self, text: str) -> CrisisCategory | None:
        """The first category one of whose words occurs in `text`, else None."""
        for category in self.categories:
            if any(word in text for word in category.words):
                return category
        return None


@dataclass(frozen=True)
class HandoffPolicy:
    """Everything the handoff desk reads from the policy file."""

    hours: OfficeHours
    minutes_per_citizen: int
    extra_duty_hours: int
    long_queue: int
    crisis: CrisisWords
    cancel_phrases: frozenset[str]

    def is_cancel(self, text: str) -> bool:
        """True when `text` (punctuation ignored) is one of the phrases that cancel waiting."""
        return _PUNCTUATION.sub("", text) in self.cancel_phrases

    def estimated_wait_minutes(self, *, position: int, staff_available: int) -> int:
        """Minutes until a person answers the citizen at `position` (1 = next), at least 1."""
        staff = max(staff_available, 1)
        return max(1, -(-position * self.minutes_per_citizen // staff))


def join_lines(text: str) -> str:
    """A folded YAML text as one line: spaces collapsed, none left between Chinese sentences."""
    return _STRAY_SPACE.sub("", " ".join(text.split()))


def _time(value: Any, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as error:
        raise HandoffPolicyError(f"{where}: {value!r} is not a time like 08:30") from error


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise HandoffPolicyError(f"{where} must be a mapping")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        raise HandoffPolicyError(f"{where} must be a non-empty list of words")
    return tuple(str(item) for item in value)


def policy_from_document(document: Any) -> HandoffPolicy:
    """Build the policy from the parsed YAML document.

    Raises:
        HandoffPolicyError: A field is missing or malformed.
    """
    root = _mapping(document, "file")
    hours = _mapping(root.get("office_hours"), "office_hours")
    sessions = tuple(
        Session(_time(item["start"], "sessions.start"), _time(item["end"], "sessions.end"))
        for item in hours.get("sessions") or []
    )
    if not sessions or any(session.end <= session.start for session in sessions):
        raise HandoffPolicyError("office_hours.sessions: each session must end after it starts")
    queue = _mapping(root.get("queue"), "queue")
    crisis = _mapping(root.get("crisis"), "crisis")
    categories = tuple(
        CrisisCategory(
            code=str(code),
            label=str(_mapping(item, f"crisis.{code}")["label"]),
            words=_strings(item.get("words"), f"crisis.{code}.words"),
            reply=join_lines(str(item["reply"])),
            handover=join_lines(str(item.get("handover") or "")),
        )
        for code, item in _mapping(crisis.get("categories"), "crisis.categories").items()
    )
    return HandoffPolicy(
        hours=OfficeHours(
            zone=ZoneInfo(str(hours.get("timezone", "Asia/Shanghai"))),
            sessions=sessions,
            description=str(hours.get("description", "")),
        ),
        minutes_per_citizen=int(queue.get("minutes_per_citizen", 5)),
        extra_duty_hours=int(queue.get("extra_duty_hours", 4)),
        long_queue=int(queue.get("long_queue", 10)),
        crisis=CrisisWords(categories),
        cancel_phrases=frozenset(_strings(root.get("cancel_phrases"), "cancel_phrases")),
    )


@lru_cache(maxsize=4)
def load_policy(path: Path = POLICY_FILE) -> HandoffPolicy:
    """The policy from `path` (read once per process)."""
    with path.open(encoding="utf-8") as handle:
        return policy_from_document(yaml.safe_load(handle))
