"""After the faults: a citizen who saw only errors tries again; the answer must be clear.

A record stored while its citizen saw only errors is not lost, provided the same message sent
again later names the record, or says it exists already (bench/faults.py, the ledger).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from bench.ledger import LedgerRow, Unseen

# What the assistant says when a booking of that person and day exists already
# (bot/domain/marriage.yml `utter_marriage_person_busy`): a clear answer to a repeated request.
DOMAIN = Path(__file__).resolve().parent.parent / "bot" / "domain"
ALREADY_THERE = {"marriage booking": ("marriage.yml", "utter_marriage_person_busy")}
RETRY_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Retry:
    """A citizen who saw only errors sends the failed message again once everything is back."""

    unseen: Unseen
    reply: str

    @property
    def clear(self) -> bool:
        """The answer names the stored record, or says that it exists already."""
        if any(reference in self.reply for reference in self.unseen.stored):
            return True
        known = ALREADY_THERE.get(self.unseen.record)
        return known is not None and already_there_text(*known) in self.reply


def already_there_text(file_name: str, response: str) -> str:
    """The text of `response` in the domain file `file_name` (its first variation)."""
    domain = yaml.safe_load((DOMAIN / file_name).read_text(encoding="utf-8"))
    return str(domain["responses"][response][0]["text"]).strip()


async def retry_unseen(web_url: str, records: Sequence[Unseen]) -> list[Retry]:
    """Send each unseen record's last failed message again (as the citizen would, later)."""
    retries = []
    async with httpx.AsyncClient(timeout=RETRY_TIMEOUT_SECONDS) as client:
        for record in records:
            conversation = record.conversation
            message = (conversation.sent_failed or conversation.sent_ok or [""])[-1]
            response = await client.post(
                f"{web_url}/api/chat", json={"sender": conversation.sender, "message": message}
            )
            texts = []
            if response.is_success:
                texts = [str(m.get("text") or "") for m in response.json().get("messages") or []]
            retries.append(
                Retry(unseen=record, reply=" ".join(texts) or f"HTTP {response.status_code}")
            )
    return retries


def print_retries(retries: Sequence[Retry]) -> None:
    """What each citizen who saw only errors is told when they try again."""
    print(f"\nstored while the citizen saw only errors: {len(retries)}; each tries again:")
    for retry in retries:
        verdict = "clear" if retry.clear else "NOT CLEAR"
        print(f"  {retry.unseen.record} {retry.unseen.stored}: {verdict}: {retry.reply[:120]!r}")


def ledger_clean(rows: Sequence[LedgerRow], slot_mismatches: int, retries: Sequence[Retry]) -> bool:
    """Nothing told lost or doubled; whatever was stored unseen is answered clearly on retry."""
    return slot_mismatches == 0 and all(row.ok for row in rows) and all(r.clear for r in retries)
