"""A question asked inside a service is read as being about that service, and the form resumes.

"要带什么材料" during a marriage booking means the marriage documents, not the 低保 ones: the
words of the service being filled in (``form_subject``) go with the search
(``knowledge.reply.search_in_context``); after the answer the form says "好，我们接着……".
"""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker

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


def resume_form(dispatcher: CollectingDispatcher, form: str) -> None:
    """The form's linking line ("好，我们接着预约：") before it asks its question again."""
    dispatcher.utter_message(response=f"{RESUME_PREFIX}{form}")
