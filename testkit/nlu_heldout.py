"""The held-out phrasings of `make eval-nlu` (``tests/nlu/*.yml``) and the files around them.

Reads Rasa NLU YAML (held-out and training examples), normalises a phrasing exactly as the gateway
does, writes merged NLU files for ``rasa test nlu``, and reads the Taipei FAQ questions used only
for the routing check.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from core.settings import PROJECT_ROOT
from testkit.nlu_scores import FALLBACK, OUT_OF_SCOPE
from zhtext.normalise import normalise

HELDOUT_DIR = PROJECT_ROOT / "tests" / "nlu"
TRAINING_DIR = PROJECT_ROOT / "nlu_data"
TAIPEI_FAQ = PROJECT_ROOT.parent / "shared" / "reference" / "external" / "taipei_faq_simplified.tsv"
# Same cap as the gateway (core.settings.max_message_chars); held-out texts are far shorter.
MAX_CHARS = 500
# Rasa's entity markup in an example: [西湖区](district) or [西湖区]{"entity": "district"}.
_ENTITY_MARKUP = re.compile(r"\[(?P<text>[^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


class EvaluationError(RuntimeError):
    """The held-out data is unusable or Rasa's evaluation failed."""


@dataclass(frozen=True)
class HeldoutExample:
    """One test phrasing: its intent, the text as written and as the gateway passes it on."""

    intent: str
    raw: str
    text: str
    source: str

    @property
    def plain(self) -> str:
        """The text without entity markup (as Rasa reports it)."""
        return plain_text(self.text)


def plain_text(example: str) -> str:
    """An NLU example without entity markup: "去[西湖区](district)" → "去西湖区"."""
    return _ENTITY_MARKUP.sub(lambda match: match["text"], example)


def read_nlu_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, example) pairs of a Rasa NLU YAML file (synonyms, lookups, regexes skipped).

    Raises:
        EvaluationError: The file is not Rasa NLU YAML.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise EvaluationError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("nlu"), list):
        raise EvaluationError(f'{path}: expected `version: "3.1"` and an `nlu:` list')
    pairs: list[tuple[str, str]] = []
    for item in data["nlu"]:
        if not isinstance(item, dict) or "intent" not in item:
            continue
        examples = item.get("examples") or ""
        for line in str(examples).splitlines():
            stripped = line.strip()
            if stripped.startswith("- "):
                pairs.append((str(item["intent"]), stripped[2:].strip()))
    return pairs


def load_heldout(directory: Path = HELDOUT_DIR, *, normalised: bool = True) -> list[HeldoutExample]:
    """Every held-out example under `directory`, normalised like the gateway unless told not to.

    Raises:
        EvaluationError: No example found.
    """
    examples: list[HeldoutExample] = []
    for path in sorted(directory.glob("*.yml")):
        for intent, raw in read_nlu_examples(path):
            text = normalise(raw, max_chars=MAX_CHARS).text if normalised else raw
            examples.append(HeldoutExample(intent=intent, raw=raw, text=text, source=path.stem))
    if not examples:
        raise EvaluationError(f"no held-out examples in {directory}/*.yml")
    return examples


def training_texts(directory: Path = TRAINING_DIR) -> set[str]:
    """Normalised training examples, to catch test phrasings copied from the training data."""
    return {
        plain_text(normalise(text, max_chars=MAX_CHARS).text)
        for path in directory.glob("*.yml")
        for _, text in read_nlu_examples(path)
    }


def write_nlu_file(pairs: Iterable[tuple[str, str]], path: Path) -> None:
    """Write (intent, text) pairs as one Rasa NLU YAML file."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for intent, text in pairs:
        if text not in grouped[intent]:
            grouped[intent].append(text)
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in grouped.items():
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {text}" for text in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def intent_stems(directory: Path = TRAINING_DIR) -> dict[str, str]:
    """Intent → the feature stem whose nlu_data file defines it."""
    stems = {
        intent: path.stem
        for path in sorted(directory.glob("*.yml"))
        for intent, _ in read_nlu_examples(path)
    }
    stems[OUT_OF_SCOPE] = OUT_OF_SCOPE
    stems[FALLBACK] = FALLBACK
    return stems


def read_taipei_faq(path: Path = TAIPEI_FAQ) -> list[tuple[str, str]]:
    """(area, question) rows of the Taipei FAQ file (comment line and header skipped)."""
    with path.open(encoding="utf-8") as handle:
        rows = [
            row for row in csv.reader(handle, delimiter="\t") if row and not row[0].startswith("#")
        ]
    return [(row[0], row[1]) for row in rows[1:] if len(row) >= 2]
