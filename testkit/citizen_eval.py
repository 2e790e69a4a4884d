"""`make eval-nlu` (second part): what a citizen sees, scored through the real web gateway.

Every evaluation sentence is sent as the first message of a fresh web-chat conversation to a live
stack (rasa, action server, web; ``testkit.stack``). What the assistant did is read from the Rasa
tracker (which actions ran, which responses were uttered, which article was answered) and sorted
into one outcome:

- ``service:<area>``: a service form or look-up started (marriage, assistance, eldercare, charity,
  handoff); ``confirm:<area>``: the assistant asked once whether the citizen wants that service;
- ``answer:<topic>`` / ``suggest:<topics>``: a knowledge-base answer or a menu of articles;
- ``referral:<topic>``: "no verified answer yet", the office in charge and 转人工;
- ``not_understood`` (没太明白 or the 转人工 offer after it), ``out_of_scope``, ``other:<utter>``.

Sets: ``tests/nlu/real/civil_affairs_*.yml`` (real citizens' questions, with their area) and
``tests/nlu/real/off_topic.yml`` (real off-topic queries), never trained on; plus the team's
held-out files ``tests/nlu/*.yml`` for the intents a first message can carry. A sentence that also
appears in the training data or among the knowledge base's example questions is refused: the run
stops and names it (a measure you train on stops measuring).

Scoring: a civil-affairs question is in the right place when the answer, menu, referral, service
or confirmation belongs to its area; an off-topic query is rejected when it gets out-of-scope,
没太明白 or small talk. For the sentences that should be turned away, a form or look-up that
starts is a false service start, and a question back about a service ("您是想……吗？") is
counted apart (it is a miss too, but opens nothing).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from actions.confirm_service import CONFIRM_PREFIX
from connectors.webchat.routes import CHANNEL
from core.chat import conversation_id
from core.settings import PROJECT_ROOT
from knowledge.store import get_store
from testkit.chat import new_sender
from testkit.nlu_eval import HELDOUT_DIR, MAX_CHARS, TRAINING_DIR, plain_text, read_nlu_examples
from testkit.stack import LiveStack, latest_model
from zhtext.normalise import normalise

REAL_DIR = PROJECT_ROOT / "tests" / "nlu" / "real"
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
REPORT_DIR = PROJECT_ROOT / "reports" / "nlu"
TIMEOUT_SECONDS = 60
SEALED_PREFIX = "sealed_"
WORKERS = 3

# What each action or response that starts a service belongs to.
SERVICE_STEPS: dict[str, str] = {
    "action_start_marriage_booking": "marriage",
    "marriage_form": "marriage",
    "action_start_marriage_lookup": "marriage",
    "marriage_lookup_form": "marriage",
    "action_start_prescreen": "assistance",
    "prescreen_form": "assistance",
    "utter_prescreen_status_intro": "assistance",
    "application_status_form": "assistance",
    "eldercare_search_form": "eldercare",
    "eldercare_visit_form": "eldercare",
    "eldercare_cancel_form": "eldercare",
    "utter_donation_menu": "charity",
    "donation_form": "charity",
    "pledge_lookup_form": "charity",
    "action_list_charity_projects": "charity",
    "action_show_charity_project": "charity",
    "action_show_goods_donation": "charity",
    "utter_donation_scam_warning": "charity",
    "handoff_callback_form": "handoff",
    "action_start_handoff": "handoff",
}
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
NOT_UNDERSTOOD = frozenset({"utter_ask_rephrase", "utter_offer_human"})
SMALL_TALK = frozenset(
    {"utter_greet", "utter_goodbye", "utter_thank", "utter_bot_identity", "utter_menu"}
)
# Marriage details said outside a form: "您是想预约或查询婚姻登记吗？" (a question back).
MARRIAGE_ASK_BACK = "utter_marriage_details_without_form"


@dataclass(frozen=True)
class Item:
    """One evaluation sentence: the set it belongs to and where it should land."""

    set_name: str
    text: str
    expected: str
    source: str = ""


@dataclass(frozen=True)
class Outcome:
    """What the citizen saw: kind (service, answer, …) and the areas it belongs to."""

    kind: str
    areas: tuple[str, ...] = ()
    detail: str = ""

    def label(self) -> str:
        """E.g. ``answer:marriage`` or ``not_understood``."""
        return f"{self.kind}:{'+'.join(self.areas)}" if self.areas else self.kind


@dataclass
class SetScore:
    """Counts for one set."""

    name: str
    total: int = 0
    right: int = 0
    civil: int = 0
    not_understood: int = 0
    false_service: int = 0
    asked_back: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[Item, Outcome]] = field(default_factory=list)

    def share(self, count: int) -> float:
        """Count / total (0 when the set is empty)."""
        return count / self.total if self.total else 0.0

    def not_understood_share(self) -> str:
        """The share of civil-affairs questions that got 没太明白.

        "—" for a set of off-topic queries only, where 没太明白 is a right refusal.
        """
        return f"{self.not_understood / self.civil:.1%}" if self.civil else "—"


# -- the sets -------------------------------------------------------------------------------
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
        off_topic_files = sorted(directory.glob("off_topic.yml"))
    items: list[Item] = []
    for path in civil_files:
        name = path.stem if sealed else "real_civil_affairs"
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            items.append(Item(name, str(entry["text"]), str(entry["area"])))
    for path in off_topic_files:
        name = path.stem if sealed else "real_off_topic"
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]:
            items.append(Item(name, str(entry["text"]), REJECT, str(entry["category"])))
    return items


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


# -- one conversation -------------------------------------------------------------------------
def classify(tracker: Mapping[str, Any], text: str) -> Outcome:
    """Sort what the assistant did after the first message into one outcome."""
    events = tracker.get("events") or []
    steps = [str(e.get("name")) for e in events if e.get("event") == "action"]
    utters = [
        str((e.get("metadata") or {}).get("utter_action") or "")
        for e in events
        if e.get("event") == "bot"
    ]
    for step in [*steps, *utters]:
        if step in SERVICE_STEPS:
            return Outcome("service", (SERVICE_STEPS[step],), step)
    store = get_store()
    for event, utter in zip([e for e in events if e.get("event") == "bot"], utters, strict=True):
        if utter == MARRIAGE_ASK_BACK:
            return Outcome("confirm", ("marriage",), utter)
        if utter.startswith(CONFIRM_PREFIX):
            intent = utter.removeprefix(CONFIRM_PREFIX)
            return Outcome("confirm", (INTENT_AREA.get(intent, intent),), intent)
        if utter in {"utter_knowledge_answer", "utter_knowledge_answer_sample"}:
            article = store.get_article(str((tracker.get("slots") or {}).get("knowledge_article")))
            return Outcome(
                "answer", (article.topic,) if article else (), article.id if article else ""
            )
        if utter == "utter_knowledge_suggest":
            ids = [
                _article_of(b.get("payload", ""))
                for b in (event.get("data") or {}).get("buttons") or []
            ]
            topics = [a.topic for a in (store.get_article(i) for i in ids if i) if a]
            return Outcome("suggest", tuple(dict.fromkeys(topics)), ",".join(i for i in ids if i))
        if utter == "utter_knowledge_referral":
            referral = store.referral_for(normalise(text, max_chars=MAX_CHARS).text)
            return Outcome("referral", (referral.topic,) if referral else ())
        if utter in NOT_UNDERSTOOD:
            return Outcome("not_understood", (), utter)
        if utter == "utter_out_of_scope":
            return Outcome("out_of_scope")
    first = next((u for u in utters if u), "none")
    return Outcome("small_talk" if first in SMALL_TALK else f"other:{first}")


def _article_of(payload: str) -> str:
    start = payload.find("{")
    if start < 0:
        return ""
    try:
        return str(json.loads(payload[start:]).get("knowledge_article") or "")
    except ValueError:
        return ""


def ask(stack: LiveStack, item: Item) -> Outcome:
    """Send the sentence as a new conversation and read what happened from the tracker."""
    sender = new_sender("eval")
    reply = httpx.post(
        f"{stack.web_url}/api/chat",
        json={"sender": sender, "message": item.text},
        timeout=TIMEOUT_SECONDS,
    )
    if reply.status_code != 200:
        return Outcome(f"http_{reply.status_code}")
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id(CHANNEL, sender)}/tracker",
        params={"token": stack.production_secrets["RASA_TOKEN"]},
        timeout=TIMEOUT_SECONDS,
    ).json()
    return classify(tracker, item.text)


# -- scoring ----------------------------------------------------------------------------------
def right_place(item: Item, outcome: Outcome) -> bool:
    """Whether the citizen got what the sentence called for."""
    if item.expected == REJECT:
        return outcome.kind in {"not_understood", "out_of_scope", "small_talk"}
    if item.expected == ANY_ANSWER:
        return outcome.kind in {"answer", "suggest", "referral"}
    return outcome.kind in {"service", "confirm", "answer", "suggest", "referral"} and (
        item.expected in outcome.areas
    )


def score(results: Sequence[tuple[Item, Outcome]]) -> dict[str, SetScore]:
    """Per-set counts."""
    scores: dict[str, SetScore] = {}
    for item, outcome in results:
        s = scores.setdefault(item.set_name, SetScore(item.set_name))
        s.total += 1
        s.kinds[outcome.kind] += 1
        if right_place(item, outcome):
            s.right += 1
        else:
            s.misses.append((item, outcome))
        if item.expected != REJECT:
            s.civil += 1
            s.not_understood += outcome.kind == "not_understood"
        if item.expected == REJECT and outcome.kind == "service":
            s.false_service += 1
        if item.expected == REJECT and outcome.kind == "confirm":
            s.asked_back += 1
    return scores


def set_order(name: str) -> tuple[int, str]:
    """Real sets first, then the sealed ones, then the team's held-out file."""
    rank = 0 if name.startswith("real_") else 1 if name.startswith(SEALED_PREFIX) else 2
    return rank, name


def format_scores(scores: Mapping[str, SetScore]) -> str:
    """One table: right place, 没太明白 and false service starts per set."""
    lines = [
        "| set | sentences | right place | 没太明白 (civil questions) "
        "| service started (should not) | asked back about a service (should not) | outcomes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name in sorted(scores, key=set_order):
        s = scores[name]
        kinds = ", ".join(f"{k} {v}" for k, v in s.kinds.most_common())
        lines.append(
            f"| {name} | {s.total} | {s.share(s.right):.1%} | {s.not_understood_share()} "
            f"| {s.false_service} | {s.asked_back} | {kinds} |"
        )
    return "\n".join(lines)


def write_report(scores: Mapping[str, SetScore], directory: Path = REPORT_DIR) -> Path:
    """reports/nlu/citizen.json (numbers) and citizen_misses.md (every miss but the sealed ones)."""
    directory.mkdir(parents=True, exist_ok=True)
    summary = {
        name: {
            "sentences": s.total,
            "right_place": round(s.share(s.right), 4),
            "civil_affairs_questions": s.civil,
            "not_understood_among_them": round(s.not_understood / s.civil, 4) if s.civil else None,
            "false_service_starts": s.false_service,
            "asked_back_about_a_service": s.asked_back,
            "outcomes": dict(s.kinds),
        }
        for name, s in scores.items()
    }
    (directory / "citizen.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    lines = ["# 评估未命中的句子", ""]
    for name, s in scores.items():
        if name.startswith(SEALED_PREFIX):
            # A sealed set stops being sealed once its misses are read: counts only.
            lines += [f"## {name}", "", f"封存集：{len(s.misses)} 句未命中，句子不列出。", ""]
            continue
        lines += [f"## {name}", "", "| 句子 | 应到 | 实际 |", "| --- | --- | --- |"]
        lines += [
            f"| {item.text} | {item.expected} | {outcome.label()} {outcome.detail} |"
            for item, outcome in s.misses
        ]
        lines.append("")
    path = directory / "citizen_misses.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run(items: Sequence[Item], stack: LiveStack) -> list[tuple[Item, Outcome]]:
    """Ask every sentence (a few conversations at a time, like several citizens)."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(lambda item: ask(stack, item), items))
    return list(zip(items, outcomes, strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    """Refuse leaked sentences, run every set through a fresh stack, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=["real", "heldout", "sealed"], help="run one group of sets"
    )
    parser.add_argument(
        "--model", type=Path, help="model to serve (default: the newest in models/)"
    )
    parser.add_argument("--out", type=Path, default=REPORT_DIR, help="report folder")
    args = parser.parse_args(argv)
    items: list[Item] = []
    if args.only in (None, "real"):
        items += load_real()
    if args.only in (None, "heldout"):
        items += load_heldout()
    if args.only in (None, "sealed"):
        items += load_real(sealed=True)
    bad = leaked(items, seen_in_training())
    if bad:
        print("这些评估句子也出现在训练数据或知识库示例问题里，请从训练侧删掉或换掉：")
        for item in bad:
            print(f"  [{item.set_name}] {item.text}")
        return 2
    with LiveStack.start(model=args.model or latest_model()) as stack:
        results = run(items, stack)
    scores = score(results)
    misses = write_report(scores, args.out)
    print(format_scores(scores))
    print(f"\nevery miss: {misses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
