"""A question asked inside a service is read as being about that service.

"要带什么材料" during a marriage booking means the marriage documents, not the 低保 ones: when
the question alone gets no direct answer, it is searched again with the words of the service
being filled in, and the better of the two results is used.
"""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker

from knowledge.search_results import SearchResult
from knowledge.store import get_store

MARRIAGE_BUSINESS = "marriage_business_type"
RESUME_PREFIX = "utter_resume_"  # + form: every form has one (bot/domain/knowledge.yml)
# Form → the words that say what it is about (the marriage forms by their business type).
FORM_SUBJECTS = {
    "prescreen_form": "低保申请",
    "application_status_form": "低保申请",
    "donation_form": "慈善捐赠",
    "pledge_lookup_form": "慈善捐赠",
    "eldercare_search_form": "养老机构",
    "eldercare_visit_form": "养老机构参观",
    "eldercare_cancel_form": "养老机构参观",
}
MARRIAGE_FORMS = frozenset({"marriage_form", "marriage_lookup_form", "marriage_reschedule_form"})
MARRIAGE_SUBJECTS = {"marriage": "结婚登记", "divorce": "离婚登记"}


def form_subject(tracker: Tracker) -> str | None:
    """The words of the service whose form is running, if one is."""
    form = str(tracker.active_loop.get("name") or "")
    if form in MARRIAGE_FORMS:
        business = str(tracker.get_slot(MARRIAGE_BUSINESS) or "marriage")
        return MARRIAGE_SUBJECTS.get(business, MARRIAGE_SUBJECTS["marriage"])
    return FORM_SUBJECTS.get(form)


def search_in_context(question: str, subject: str | None) -> SearchResult:
    """The question's own result when it answers; else the one with the service's words."""
    plain = get_store().search(question)
    if subject is None or plain.decision == "answer" or subject in question:
        return plain
    within = get_store().search(f"{subject}{question}")
    if within.decision == "answer" or (within.decision == "suggest" and within.suggestions):
        return within
    return plain


def resume_form(dispatcher: CollectingDispatcher, form: str) -> None:
    """The form's linking line ("好，我们接着预约：") before it asks its question again."""
    dispatcher.utter_message(response=f"{RESUME_PREFIX}{form}")
