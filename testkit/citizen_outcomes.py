"""What a citizen saw after a first message, read from the Rasa tracker (`testkit.citizen_eval`).

``classify`` sorts the actions that ran and the responses uttered into one ``Outcome``: a service
started, a confirmation asked, a knowledge answer, menu or referral, 没太明白, out of scope, or
small talk.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from actions.confirm_service import CONFIRM_PREFIX
from actions.not_understood import FAILURE_RESPONSES
from knowledge.store import get_store
from testkit.citizen_sets import INTENT_AREA
from testkit.nlu_heldout import MAX_CHARS
from zhtext.normalise import normalise

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
SMALL_TALK = frozenset(
    {"utter_greet", "utter_goodbye", "utter_thank", "utter_bot_identity", "utter_menu"}
)
# Marriage details said outside a form: "您是想预约或查询婚姻登记吗？" (a question back).
MARRIAGE_ASK_BACK = "utter_marriage_details_without_form"


@dataclass(frozen=True)
class Outcome:
    """What the citizen saw: kind (service, answer, …) and the areas it belongs to."""

    kind: str
    areas: tuple[str, ...] = ()
    detail: str = ""

    def label(self) -> str:
        """E.g. ``answer:marriage`` or ``not_understood``."""
        return f"{self.kind}:{'+'.join(self.areas)}" if self.areas else self.kind


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
        if utter in FAILURE_RESPONSES:
            return Outcome("not_understood", (), utter)
        if utter == "utter_out_of_scope":
            return Outcome("out_of_scope")
        if utter == "utter_other_agency":
            return Outcome("other_agency")
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
