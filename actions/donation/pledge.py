"""Donating money: the donation form and its questions with buttons.

Flow: project (or the general fund) → amount → donor name or anonymous → receipt wanted? →
(receipt kind → title → ID number / 统一社会信用代码) → contact phone → summary to confirm →
pledge with a reference and the official payment channels. An amount above the policy's
staff-confirmation bound ends the form early and hands the citizen to a person. The summary
and the pledge: ``pledge_submit``.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.donation import get_donation_api
from actions.confirm_service import request_words
from actions.donation.labels import label
from actions.donation.parsing import (
    clean_title,
    match_project,
    receipt_kind_from_text,
    wants_anonymous,
    yuan,
)
from actions.donation.volunteered import VolunteeredPledgeAnswers, projects_named
from actions.form_answers import read_phone
from core.sealing import seal
from zhtext.credit_code import validate_credit_code
from zhtext.idcard import validate_id_number
from zhtext.names import parse_person_name
from zhtext.numbers import parse_money

FORM = "donation_form"
PROJECT = "charity_project"
AMOUNT = "donation_amount"
NEEDS_STAFF = "donation_needs_staff"
DONOR_NAME = "donor_name"
ANONYMOUS = "donor_anonymous"
RECEIPT_WANTED = "receipt_wanted"
RECEIPT_KIND = "receipt_kind"
RECEIPT_TITLE = "receipt_title"
RECEIPT_TAX_ID = "receipt_tax_id"
PHONE = "donation_phone"
CONFIRMED = "donation_confirmed"
STAFF_REQUEST = "donation_staff_request"
# The reference of the pledge this conversation made last (actions/record_reminder.py).
PLEDGE_MADE = "donation_pledge_made"
# Cleared after every ending of the form. `donation_needs_staff` is not: the rules that end the
# form look at it, and the amount question sets it again next time.
FORM_SLOTS = (
    PROJECT, AMOUNT, DONOR_NAME, ANONYMOUS, RECEIPT_WANTED, RECEIPT_KIND, RECEIPT_TITLE,
    RECEIPT_TAX_ID, PHONE, CONFIRMED,
)  # fmt: skip
HANDOFF_REASON_SLOT = "handoff_reason"
HANDOFF_REASON = "donation_above_bound"
HANDOFF_SERVICE_SLOT = "handoff_service"
SERVICE = "donation"
DEFAULT_MINIMUM = Decimal(1)


def reset_form_slots() -> list[dict[str, Any]]:
    """Events that clear every answer of the donation form."""
    return [SlotSet(name, None) for name in FORM_SLOTS]


def slot_text(tracker: Tracker, name: str) -> str:
    """A slot's value as text ("" when empty)."""
    value = tracker.get_slot(name)
    return "" if value is None else str(value)


class ValidateDonationForm(VolunteeredPledgeAnswers, FormValidationAction):
    """Checks each answer of the donation form and says exactly what was wrong."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_donation_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Receipt details only when a receipt is wanted; nothing after a too-large amount."""
        if tracker.get_slot(NEEDS_STAFF):
            return [PROJECT, AMOUNT]
        slots = [PROJECT, AMOUNT, DONOR_NAME, RECEIPT_WANTED]
        if tracker.get_slot(RECEIPT_WANTED):
            slots += [RECEIPT_KIND, RECEIPT_TITLE, RECEIPT_TAX_ID]
        return [*slots, PHONE, CONFIRMED]

    async def validate_charity_project(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A project open for donation (by code, name, theme) or the general fund."""
        try:
            projects = await get_donation_api().list_projects()
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return {PROJECT: None}
        matches = match_project(str(value), projects)
        if len(matches) == 1:
            return {PROJECT: matches[0].code}
        if matches:
            dispatcher.utter_message(response="utter_donation_project_several")
        else:
            dispatcher.utter_message(response="utter_donation_project_unclear")
        return {PROJECT: None}

    async def validate_donation_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An exact one-off amount in yuan, at least the minimum; above the bound → staff."""
        money = parse_money(str(value))
        if money is None or money.value <= 0:
            dispatcher.utter_message(response="utter_donation_amount_invalid")
            return {AMOUNT: None}
        if money.approximate:
            dispatcher.utter_message(response="utter_donation_amount_not_exact")
            return {AMOUNT: None}
        if money.period is not None:
            dispatcher.utter_message(response="utter_donation_amount_one_off")
            return {AMOUNT: None}
        minimum, maximum = DEFAULT_MINIMUM, None
        # Unreachable policy: the back office checks the bounds again when the pledge is made.
        with contextlib.suppress(BackofficeError):
            policy = await get_donation_api().get_policy()
            minimum, maximum = policy.minimum, policy.staff_confirmation_above
        if money.value < minimum:
            dispatcher.utter_message(
                response="utter_donation_amount_too_small", minimum=yuan(minimum)
            )
            return {AMOUNT: None}
        amount = str(money.value)
        if maximum is not None and money.value > maximum:
            return {AMOUNT: amount, NEEDS_STAFF: True}
        return {AMOUNT: amount, NEEDS_STAFF: False}

    async def validate_donor_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A name, or anonymous ("匿名", "不留名")."""
        text = str(value)
        if wants_anonymous(text):
            return {DONOR_NAME: text, ANONYMOUS: True}
        name = parse_person_name(text)
        if name is None:
            dispatcher.utter_message(response="utter_donation_name_invalid")
            return {DONOR_NAME: None}
        return {DONOR_NAME: name, ANONYMOUS: False}

    async def validate_receipt_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """个人 or 单位."""
        kind = receipt_kind_from_text(str(value))
        if kind is None:
            dispatcher.utter_message(response="utter_donation_receipt_kind_invalid")
        return {RECEIPT_KIND: kind}

    async def validate_receipt_title(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The name on the receipt (person or organisation)."""
        title = clean_title(str(value))
        if title is None:
            dispatcher.utter_message(response="utter_donation_receipt_title_invalid")
        return {RECEIPT_TITLE: title}

    async def validate_receipt_tax_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ID number (GB 11643) for a person, 统一社会信用代码 (GB 32100) for an organisation."""
        text = str(value)
        if tracker.get_slot(RECEIPT_KIND) == "company":
            code = validate_credit_code(text)
            if code.valid:
                return {RECEIPT_TAX_ID: seal(code.code)}
            dispatcher.utter_message(
                response="utter_donation_credit_code_invalid", reason=label(f"reason_{code.reason}")
            )
            return {RECEIPT_TAX_ID: None}
        id_check = validate_id_number(text)
        if id_check.valid:
            # Sealed: the tracker store must not keep raw ID numbers (core/sealing.py).
            return {RECEIPT_TAX_ID: seal(id_check.number)}
        dispatcher.utter_message(
            response="utter_donation_id_number_invalid", reason=label(f"reason_{id_check.reason}")
        )
        return {RECEIPT_TAX_ID: None}

    async def validate_donation_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A personal mobile or landline number."""
        return {PHONE: read_phone(dispatcher, str(value), {}, "utter_donation_phone_invalid")}


class ActionAskCharityProject(Action):
    """Asks which project, with a button for each open project and the general fund."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_ask_charity_project"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the question with the project buttons (general fund first)."""
        try:
            projects = await get_donation_api().list_projects()
        except BackofficeError:
            projects = []
        # "我想给助学项目捐…": only the projects the citizen's words point to, and the general fund.
        named = projects_named(request_words(tracker), projects)
        shown = [p for p in projects if p in named or p.general_fund] if named else projects
        ordered = sorted(shown, key=lambda p: (not p.general_fund, not p.recommended))
        buttons = [
            {"title": p.name, "payload": f'/pledge_donation{{"{PROJECT}": "{p.code}"}}'}
            for p in ordered
        ]
        dispatcher.utter_message(response="utter_ask_charity_project", buttons=buttons)
        return []
