"""Answers a donor gives before being asked: "我想给助学项目捐两百块，匿名，不要票据".

The donation form reads them from the words that started it (or any later message) for every
question not yet answered, so only what is missing is asked. Each value still goes through the
form's own validation (amount bounds, project open). A theme that fits several projects is not
chosen: the project question then offers only those (`projects_named`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.donation import Project, get_donation_api
from actions.confirm_service import unasked_words
from actions.donation.parsing import match_project, wants_anonymous
from zhtext.numbers import parse_money

PROJECT = "charity_project"
AMOUNT = "donation_amount"
DONOR_NAME = "donor_name"
RECEIPT_WANTED = "receipt_wanted"
ANONYMOUS_NAME = "匿名"

_NO_RECEIPT = re.compile(
    r"(?:不要|不需要|不用|无需|免)(?:开)?(?:捐赠)?(?:票据|发票|收据)|不(?:用|要)?开票"
)
_RECEIPT = re.compile(r"(?:要|需要|开|给我开)(?:捐赠)?(?:票据|发票|收据)|开票")
_AMOUNT_CLAUSE = re.compile(r"[^，,。；;！!？?]*(?:捐|元|块|钱)[^，,。；;！!？?]*")


def wants_receipt(text: str) -> bool | None:
    """Whether a receipt is wanted: "不要票据" → False, "要开票据" → True, else None."""
    if _NO_RECEIPT.search(text):
        return False
    if _RECEIPT.search(text):
        return True
    return None


def amount_said(text: str) -> str | None:
    """The amount in the clause that speaks of money ("捐两百块" → "捐两百块"), as said."""
    for found in _AMOUNT_CLAUSE.finditer(text):
        clause = found.group(0)
        if parse_money(clause) is not None:
            return clause
    return None


def projects_named(text: str, projects: Sequence[Project]) -> list[Project]:
    """The projects a sentence names or points to by theme (none when it names none)."""
    if not text or text.startswith("/"):
        return []
    return match_project(text, projects)


class VolunteeredPledgeAnswers:
    """`extract_*` methods of the donation form's validation (a mix-in for rasa_sdk)."""

    async def extract_charity_project(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A project named so that only one fits."""
        text = unasked_words(tracker, PROJECT)
        if text is None:
            return {}
        try:
            named = projects_named(text, await get_donation_api().list_projects())
        except BackofficeError:
            return {}
        return {PROJECT: named[0].code} if len(named) == 1 else {}

    async def extract_donation_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An amount said before it is asked ("捐两百块")."""
        text = unasked_words(tracker, AMOUNT)
        said = amount_said(text) if text is not None else None
        return {AMOUNT: said} if said else {}

    async def extract_donor_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Anonymity ("匿名") said before the name is asked."""
        text = unasked_words(tracker, DONOR_NAME)
        return {DONOR_NAME: ANONYMOUS_NAME} if text and wants_anonymous(text) else {}

    async def extract_receipt_wanted(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The receipt choice ("不要票据" / "要开票据") said before it is asked."""
        text = unasked_words(tracker, RECEIPT_WANTED)
        wanted = wants_receipt(text) if text is not None else None
        return {} if wanted is None else {RECEIPT_WANTED: wanted}
