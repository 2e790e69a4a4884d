"""The case a staff member starts from: channel, the citizen's first words, service, references.

Built when a ticket opens (from the transcript and the slots) and completed while the citizen
writes to a waiting ticket, so that a handover asked for with the very first message
("转人工") does not reach staff as an empty case. The words that suggest a service are kept by
editors in `case_words.yml`; a service guessed from them is marked as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from backoffice.records.handoff.models import CITIZEN, HandoffTicket
from backoffice.records.handoff.tickets import TranscriptLine
from core.nested import strings_in
from core.texts import read_texts
from zhtext.references import find_references

CASE_WORDS_FILE = Path(__file__).with_name("case_words.yml")
_IGNORED = re.compile(r"[\s\W_]+")
MAX_FIRST_WORDS = 200


@lru_cache(maxsize=1)
def _words() -> tuple[tuple[tuple[str, tuple[str, ...]], ...], re.Pattern[str]]:
    document = read_texts(CASE_WORDS_FILE)
    services = tuple(
        (str(code), tuple(str(word) for word in words))
        for code, words in (document.get("services") or {}).items()
    )
    person = sorted((str(word) for word in document.get("asking_for_a_person") or []), key=len)
    return services, re.compile("|".join(re.escape(word) for word in reversed(person)))


def infer_service(texts: Iterable[str]) -> str | None:
    """The first service one of whose words occurs in `texts` (in order), else None."""
    services, _ = _words()
    for text in texts:
        for code, words in services:
            if any(word in text for word in words):
                return code
    return None


def says_something(text: str) -> bool:
    """True when a citizen's line says more than "转人工" or a greeting (or a button press)."""
    if text.startswith("/"):
        return False
    _, person = _words()
    return bool(_IGNORED.sub("", person.sub("", text)))


def case_summary(
    *,
    channel: str,
    transcript: Sequence[TranscriptLine],
    slots: dict[str, Any],
    active_form: str | None,
    service: str | None,
    latest: str = "",
    references: Sequence[str] = (),
) -> dict[str, Any]:
    """What staff see first (stored with the ticket; ID numbers are masked by the service).

    Args:
        channel: web, wechat, telegram …
        transcript: The conversation before the handover.
        slots: What the services collected.
        active_form: The form the handover interrupted.
        service: The service the assistant knew of (None: guessed from the citizen's words).
        latest: The citizen's message that opened the ticket (crisis words), if not in transcript.
        references: Reference numbers the assistant found earlier in the conversation.
    """
    citizen = [line.text for line in transcript if line.kind == CITIZEN]
    if latest:
        citizen.append(latest)
    first = next((text for text in citizen if says_something(text)), None)
    everything = [line.text for line in transcript] + [latest] + list(strings_in(slots))
    return {
        "channel": channel,
        "first_words": first[:MAX_FIRST_WORDS] if first else None,
        "service_inferred": None if service else infer_service(citizen),
        "references": find_references([*references, *everything]),
        "slots": slots,
        "active_form": active_form,
    }


def add_citizen_words(ticket: HandoffTicket, text: str) -> bool:
    """Complete the case with a message the citizen wrote to the open ticket; True if changed.

    The first words that say something, a service guessed from them while none is known (set
    on the ticket too, marked `service_inferred` in the summary), and any reference number the
    citizen types.
    """
    summary = dict(ticket.summary or {})
    changed = False
    if not summary.get("first_words") and says_something(text):
        summary["first_words"] = text[:MAX_FIRST_WORDS]
        changed = True
    if not ticket.service:
        guessed = infer_service([text])
        if guessed:
            summary["service_inferred"] = guessed
            ticket.service = guessed  # the queue shows it; the summary says it was guessed
            changed = True
    known = list(summary.get("references") or [])
    more = [ref for ref in find_references([text]) if ref not in known]
    if more:
        summary["references"] = known + more
        changed = True
    if changed:
        ticket.summary = summary  # a new dict: the JSON column notices the change
    return changed
