"""Adding a citizen's words as an NLU example, in the file that already holds the intent.

The examples of an intent are a literal block (`examples: |`), where a `#` would be part of an
example; so the example goes at the end of the block and who added it, when, goes into a YAML
comment right after the block (less indented, which YAML allows after a block scalar). Nothing
else of the file changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

INTENT_LINE = re.compile(r"^(?P<indent>\s*)- intent:\s*(?P<name>[\w-]+)\s*$")
EXAMPLES_LINE = re.compile(r"^(?P<indent>\s*)examples:\s*\|[-+]?\s*$")
# Rasa reads [text](entity) and {"entity": …} inside examples as annotations.
ANNOTATION_CHARACTERS = str.maketrans({"[": "【", "]": "】", "{": "（", "}": "）"})


@dataclass(frozen=True)
class IntentPlace:
    """Where an intent's examples are."""

    path: Path
    name: str


def nlu_files(nlu_dir: Path) -> list[Path]:
    """The NLU YAML files, sorted."""
    return sorted(nlu_dir.glob("*.yml"))


def intents(nlu_dir: Path) -> dict[str, IntentPlace]:
    """Every intent with examples, and the file holding them (the first, if several do)."""
    found: dict[str, IntentPlace] = {}
    for path in nlu_files(nlu_dir):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = INTENT_LINE.match(line)
            if match and match["name"] not in found:
                found[match["name"]] = IntentPlace(path, match["name"])
    return found


def example_text(text: str) -> str:
    """One line of plain text fit for an examples block."""
    return " ".join(text.split()).translate(ANNOTATION_CHARACTERS)


def known_examples(nlu_dir: Path) -> set[str]:
    """Every example of every intent (to refuse a duplicate)."""
    examples: set[str] = set()
    for path in nlu_files(nlu_dir):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            block = item.get("examples") if isinstance(item, dict) else None
            if isinstance(block, str):
                examples.update(
                    line.strip()[2:].strip()
                    for line in block.splitlines()
                    if line.strip().startswith("- ")
                )
    return examples


def insert_example(source: str, intent: str, example: str, comment: str) -> str:
    """`source` with `example` at the end of `intent`'s block and `comment` after the block.

    Raises:
        ValueError: The intent has no `examples: |` block in `source`.
    """
    lines = source.splitlines()
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if (m := INTENT_LINE.match(line)) and m["name"] == intent
        ),
        None,
    )
    if start is None:
        raise ValueError(intent)
    header = next((i for i in range(start + 1, len(lines)) if EXAMPLES_LINE.match(lines[i])), None)
    if header is None:
        raise ValueError(intent)
    key_indent = len(lines[header]) - len(lines[header].lstrip())
    last_example, item_indent = header, key_indent + 2
    position = header + 1
    while position < len(lines):
        line = lines[position]
        indent = len(line) - len(line.lstrip())
        if line.strip() and indent <= key_indent:
            break
        if line.strip():
            last_example, item_indent = position, indent
        position += 1
    # Comments already added after the block (by earlier reviews) stay together, oldest first.
    after = last_example + 1
    while after < len(lines) and (
        not lines[after].strip() or lines[after].lstrip().startswith("#")
    ):
        if lines[after].strip():
            after += 1
        else:
            break
    new_lines = [
        *lines[: last_example + 1],
        " " * item_indent + "- " + example,
        *lines[last_example + 1 : after],
        " " * key_indent + comment,
        *lines[after:],
    ]
    return "\n".join(new_lines) + ("\n" if source.endswith("\n") else "")


def add_example(place: IntentPlace, example: str, comment: str) -> None:
    """Write `example` into the intent's file (checked to still be valid YAML first).

    Raises:
        ValueError: The result would not read back with the example in the intent.
    """
    source = place.path.read_text(encoding="utf-8")
    updated = insert_example(source, place.name, example, comment)
    data = yaml.safe_load(updated)
    blocks = [
        item["examples"]
        for item in data["nlu"]
        if isinstance(item, dict) and item.get("intent") == place.name
    ]
    if not any(f"- {example}" in block.splitlines() for block in blocks if isinstance(block, str)):
        raise ValueError(place.name)
    place.path.write_text(updated, encoding="utf-8")
