"""What every evaluation sentence got, kept on disk for the replay (``testkit.citizen_replay``).

One JSON line per sentence: its set, a fingerprint, the expected place and the outcome. The text
(and the article or action behind the outcome) is kept only for readable sets; a sealed sentence is
known by its fingerprint alone, so the file shows no sealed sentence next to what it got (the replay
finds the text again in the sealed file).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from testkit.citizen_outcomes import Outcome
from testkit.citizen_sets import SEALED_PREFIX, Item, key

OUTCOMES_FILE = "citizen_outcomes.jsonl"


def fingerprint(item: Item) -> str:
    """A stable name for one sentence of one set (its comparison form, hashed)."""
    digest = hashlib.sha256(f"{item.set_name}\n{key(item.text)}".encode()).hexdigest()
    return digest[:16]


def write_outcomes(results: Iterable[tuple[Item, Outcome]], path: Path) -> None:
    """One line per sentence; sealed sentences without their text."""
    lines = []
    for item, outcome in results:
        record = {
            "set": item.set_name,
            "sentence": fingerprint(item),
            "expected": item.expected,
            "kind": outcome.kind,
            "areas": list(outcome.areas),
        }
        if not item.set_name.startswith(SEALED_PREFIX):
            record |= {"detail": outcome.detail, "text": item.text}
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_outcomes(path: Path, items: Iterable[Item]) -> list[tuple[Item, Outcome]]:
    """The recorded outcome of each of `items` that the file has (matched by fingerprint)."""
    recorded: Mapping[str, Outcome] = {
        record["sentence"]: Outcome(
            record["kind"], tuple(record["areas"]), record.get("detail", "")
        )
        for record in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    }
    return [(item, recorded[name]) for item in items if (name := fingerprint(item)) in recorded]
