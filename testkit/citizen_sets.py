"""The sentence sets of the gateway evaluation (`testkit.citizen_eval`) and their leak check.

Real citizens' questions and off-topic queries (``tests/nlu/real/``, the sealed sets apart), the
team's held-out files for the intents a first message can carry, and the refusal of a sentence that
also stands in the training data or among the knowledge base's example questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from core.settings import PROJECT_ROOT
from testkit.nlu_heldout import HELDOUT_DIR, MAX_CHARS, TRAINING_DIR, plain_text, read_nlu_examples
from zhtext.normalise import normalise

REAL_DIR = PROJECT_ROOT / "tests" / "nlu" / "real"
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
SEALED_PREFIX = "sealed_"
# The groups of civil-affairs questions that make up the first real set (later groups: own sets).
FIRST_GROUPS = ("a", "b")

# The area of each service intent (for the confirmation question and the held-out files).
INTENT_AREA: dict[str, str] = {
    "request_marriage_booking": "marriage",
    "check_marriage_booking": "marriage",
    "reschedule_marriage_booking": "marriage",
    "cancel_marriage_booking": "marriage",
    "request_prescreen": "assistance",
    "check_application_status": "assistance",
    "request_eldercare": "eldercare",
    "request_facility_visit": "eldercare",
    "cancel_facility_visit": "eldercare",
    "request_donation": "charity",
    "pledge_donation": "charity",
    "browse_charity_projects": "charity",
    "ask_goods_donation": "charity",
    "check_donation_pledge": "charity",
    "request_callback": "handoff",
    "request_human": "handoff",
}
ANY_ANSWER = "any_answer"
REJECT = "reject"
HELDOUT_EXPECTED: dict[str, str] = {
    **INTENT_AREA,
    "ask_policy_question": ANY_ANSWER,
    "out_of_scope": REJECT,
    "nonsense": REJECT,
}


@dataclass(frozen=True)
class Item:
    """One evaluation sentence: the set it belongs to and where it should land."""

    set_name: str
    text: str
    expected: str
    source: str = ""


def load_real(directory: Path = REAL_DIR, *, sealed: bool = False) -> list[Item]:
    """The real civil-affairs questions and off-topic queries (or the sealed sets).

    The sealed files (``sealed_*civil_affairs.yml``, ``sealed_*off_topic.yml``) were collected by
    someone else and not read by the developers; each is its own set, named by its file (set A,
    ``sealed_civil_affairs``, has had its misses read once; set B, ``sealed_b_…``, is unread).
    They are run only when asked for.
    """
    if sealed:
        civil_files = sorted(directory.glob(f"{SEALED_PREFIX}*civil_affairs.yml"))
        off_topic_files = sorted(directory.glob(f"{SEALED_PREFIX}*off_topic.yml"))
    else:
        civil_files = sorted(directory.glob("civil_affairs_*.yml"))
        off_topic_files = sorted(directory.glob("off_topic*.yml"))
    items: list[Item] = []
    for path in civil_files:
        name = path.stem if sealed else real_set_name(path)
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            items.append(Item(name, str(entry["text"]), str(entry["area"])))
    for path in off_topic_files:
        name = path.stem if sealed else real_set_name(path)
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]:
            items.append(Item(name, str(entry["text"]), REJECT, str(entry["category"])))
    return items


def real_set_name(path: Path) -> str:
    """The set a (not sealed) real file belongs to.

    ``civil_affairs_a.yml``, ``civil_affairs_b.yml`` and ``off_topic.yml`` are the first real sets
    (``real_civil_affairs``, ``real_off_topic``); a later group such as ``civil_affairs_c.yml`` or
    ``off_topic_c.yml`` is its own set (``real_c_civil_affairs``, ``real_c_off_topic``), so that
    sentences the team has not seen are counted apart from those it has.
    """
    if path.stem == "off_topic":
        return "real_off_topic"
    kind, _, group = path.stem.rpartition("_")
    if kind == "civil_affairs" and group in FIRST_GROUPS:
        return "real_civil_affairs"
    return f"real_{group}_{kind}"


def load_heldout(directory: Path = HELDOUT_DIR) -> list[Item]:
    """The team's held-out sentences whose intent a first message can carry."""
    return [
        Item("heldout", plain_text(text), HELDOUT_EXPECTED[intent], intent)
        for path in sorted(directory.glob("*.yml"))
        for intent, text in read_nlu_examples(path)
        if intent in HELDOUT_EXPECTED
    ]


def seen_in_training(directory: Path = TRAINING_DIR, knowledge: Path = KNOWLEDGE_DIR) -> set[str]:
    """Every training example and knowledge-base example question, compared as plain text."""
    texts = [text for path in directory.glob("*.yml") for _, text in read_nlu_examples(path)]
    for path in (knowledge / "articles").rglob("*.yml"):
        article = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        texts += [str(q) for q in article.get("questions") or []]
    return {key(text) for text in texts}


def key(text: str) -> str:
    """The comparison form: normalised like the gateway, then without punctuation or spaces."""
    return plain_text(normalise(text, max_chars=MAX_CHARS).text)


def leaked(items: Iterable[Item], seen: set[str]) -> list[Item]:
    """Evaluation sentences that are also training or knowledge-base sentences."""
    return [item for item in items if key(item.text) in seen]
