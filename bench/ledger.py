"""After a load run: is everything the citizens were told stored exactly once in the back office?

For each conversation of the run (bench.citizens.Conversation) the records it may have created
are looked up by what identifies that citizen (ID number, conversation id, phone), not only by
the reference the reply showed, so a record the citizen never heard about, or a second one, is
found too:

- 婚姻登记预约: `marriage_bookings` of the citizen's own ID number;
- 慈善认捐: `donation_pledges` of the conversation;
- 救助预审: `prescreen_checks` of the conversation (hashed id);
- 转人工: `handoff_tickets` of the conversation, and the citizen's message left while waiting
  (`handoff_messages`, found by the citizen's unique phone number in it).

Each is classified as stored exactly once, missing (told, not stored), duplicated (stored more
than once) or stored although the citizen saw an error (not told). Slot counters of the marriage
offices are checked against the bookings too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from backoffice.records.donation.models import DonationPledge
from backoffice.records.handoff.models import HandoffMessage, HandoffTicket
from backoffice.records.marriage.models import MarriageBooking, MarriageSlot
from backoffice.records.prescreen.models import PrescreenCheck
from backoffice.records.prescreen.service import digest
from bench.citizen_records import Conversation

ACTIVE_BOOKING = ("booked", "rescheduled")
TICKET_TURNS = 2  # handoff script: greeting, then the click answered with the place in the queue


@dataclass(frozen=True)
class Found:
    """What one conversation was told and what the database holds for it.

    Attributes:
        told: The citizen was told it succeeded.
        told_reference: The reference the reply showed (None for records without one).
        stored: Reference (or id) of every stored record of this conversation.
    """

    told: bool
    told_reference: str | None
    stored: tuple[str, ...]

    @property
    def verdict(self) -> str:
        """``once``, ``missing``, ``duplicated``, ``unconfirmed`` or ``none``."""
        if len(self.stored) > 1:
            return "duplicated"
        if self.told:
            if not self.stored:
                return "missing"
            if self.told_reference is not None and self.told_reference not in self.stored:
                return "missing"
            return "once"
        return "unconfirmed" if self.stored else "none"


@dataclass(frozen=True)
class LedgerRow:
    """One line of the ledger table."""

    record: str
    conversations: int
    counts: Counter[str]

    @property
    def ok(self) -> bool:
        """True when nothing told is missing and nothing is duplicated."""
        return self.counts["missing"] == 0 and self.counts["duplicated"] == 0


Lookup = Callable[[Session, Conversation], Found]


def _by_reference(conversation: Conversation, prefix: str, stored: Sequence[str]) -> Found:
    """Told = a reply showed a reference starting with `prefix`."""
    told = next((r for r in conversation.references if r.startswith(prefix)), None)
    return Found(told=told is not None, told_reference=told, stored=tuple(stored))


def marriage(session: Session, conversation: Conversation) -> Found:
    """Bookings of the citizen's own ID number."""
    stored = session.scalars(
        select(MarriageBooking.reference).where(
            MarriageBooking.party1_id_number == conversation.variables["groom_id"]
        )
    ).all()
    return _by_reference(conversation, "HY-", stored)


def donation(session: Session, conversation: Conversation) -> Found:
    """Pledges of the conversation."""
    stored = session.scalars(
        select(DonationPledge.reference).where(
            DonationPledge.conversation_id == conversation.conversation_id
        )
    ).all()
    return _by_reference(conversation, "CS-", stored)


def prescreen(session: Session, conversation: Conversation) -> Found:
    """Pre-screen checks logged for the conversation."""
    hashed = digest(conversation.conversation_id)
    stored = session.scalars(
        select(PrescreenCheck.reference).where(PrescreenCheck.conversation_hash == hashed)
    ).all()
    return _by_reference(conversation, "YS-", stored)


def handoff_ticket(session: Session, conversation: Conversation) -> Found:
    """Tickets of the conversation; told = the citizen was told their place in the queue."""
    stored = session.scalars(
        select(HandoffTicket.id).where(
            HandoffTicket.conversation_id == conversation.conversation_id
        )
    ).all()
    return Found(
        told=conversation.turns_passed >= TICKET_TURNS,
        told_reference=None,
        stored=tuple(str(ticket) for ticket in stored),
    )


def handoff_message(session: Session, conversation: Conversation) -> Found:
    """The citizen's message left while waiting, found by their phone number in it."""
    phone = conversation.variables["phone"]
    stored = session.scalars(
        select(HandoffMessage.id).where(
            HandoffMessage.conversation_id == conversation.conversation_id,
            HandoffMessage.kind == "citizen",
            HandoffMessage.text.contains(phone),
        )
    ).all()
    return Found(
        told=conversation.variables["waiting_message"] in conversation.sent_ok,
        told_reference=None,
        stored=tuple(str(message) for message in stored),
    )


CHECKS: tuple[tuple[str, str, Lookup], ...] = (
    ("marriage booking", "marriage", marriage),
    ("donation pledge", "donation", donation),
    ("prescreen check", "prescreen", prescreen),
    ("handoff ticket", "handoff", handoff_ticket),
    ("handoff message", "handoff", handoff_message),
)


def slot_counter_mismatches(session: Session) -> int:
    """Marriage half-days whose `booked` counter differs from their active bookings."""
    active = {
        (office, day, half): count
        for office, day, half, count in session.execute(
            select(
                MarriageBooking.office_id,
                MarriageBooking.day,
                MarriageBooking.half_day,
                func.count(),
            )
            .where(MarriageBooking.status.in_(ACTIVE_BOOKING))
            .group_by(MarriageBooking.office_id, MarriageBooking.day, MarriageBooking.half_day)
        )
    }
    return sum(
        slot.booked != active.get((slot.office_id, slot.day, slot.half_day), 0)
        for slot in session.scalars(select(MarriageSlot))
    )


def verify(database_url: str, conversations: Sequence[Conversation]) -> tuple[list[LedgerRow], int]:
    """Classify every record of every conversation; also count slot-counter mismatches."""
    engine: Engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            rows = []
            for record, tag, lookup in CHECKS:
                mine = [c for c in conversations if tag in c.tags]
                counts: Counter[str] = Counter()
                for conversation in mine:
                    found = lookup(session, conversation)
                    counts[found.verdict] += 1
                    counts["told"] += found.told
                rows.append(LedgerRow(record=record, conversations=len(mine), counts=counts))
            return rows, slot_counter_mismatches(session)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Unseen:
    """A record stored for a conversation whose citizen was not told (they saw an error)."""

    record: str
    conversation: Conversation
    stored: tuple[str, ...]


def unseen(database_url: str, conversations: Sequence[Conversation]) -> list[Unseen]:
    """Every record stored although its citizen saw only errors (verdict ``unconfirmed``)."""
    engine: Engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return [
                Unseen(record=record, conversation=conversation, stored=found.stored)
                for record, tag, lookup in CHECKS
                for conversation in conversations
                if tag in conversation.tags
                and (found := lookup(session, conversation)).verdict == "unconfirmed"
            ]
    finally:
        engine.dispose()


def print_ledger(rows: list[LedgerRow], slot_mismatches: int) -> bool:
    """Print the ledger table; True when nothing was lost or duplicated."""
    header = (
        f"{'record':<18} {'convs':>6} {'told ok':>8} {'stored once':>12} {'missing':>8} "
        f"{'duplicated':>11} {'stored, citizen saw error':>26}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.record:<18} {row.conversations:>6} {row.counts['told']:>8} "
            f"{row.counts['once']:>12} {row.counts['missing']:>8} {row.counts['duplicated']:>11} "
            f"{row.counts['unconfirmed']:>26}"
        )
    print(f"marriage half-days whose booked counter differs from the bookings: {slot_mismatches}")
    return slot_mismatches == 0 and all(row.ok for row in rows)
