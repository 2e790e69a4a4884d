"""The donation's summary (personal data masked), and the pledge made once it is confirmed.

After the donation form (``actions/donation/pledge.py``): ``action_ask_donation_confirmed`` shows
the summary; ``action_submit_donation_pledge`` hands a large amount to a person, drops a declined
summary, or makes the pledge and gives its reference and the official payment channels.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError, BackofficeRejectedError
from actions.clients.donation import PledgeRequest, Project, get_donation_api
from actions.donation.labels import label
from actions.donation.parsing import yuan
from actions.donation.pledge import (
    AMOUNT,
    ANONYMOUS,
    CONFIRMED,
    DONOR_NAME,
    HANDOFF_REASON,
    HANDOFF_REASON_SLOT,
    HANDOFF_SERVICE_SLOT,
    NEEDS_STAFF,
    PHONE,
    PLEDGE_MADE,
    PROJECT,
    RECEIPT_KIND,
    RECEIPT_TAX_ID,
    RECEIPT_TITLE,
    RECEIPT_WANTED,
    SERVICE,
    STAFF_REQUEST,
    reset_form_slots,
    slot_text,
)
from core.sealing import unseal
from zhtext.credit_code import mask_credit_code
from zhtext.idcard import mask_id_number, mask_name, mask_phone


def receipt_line(tracker: Tracker) -> str:
    """The receipt part of the summary, with the ID number or credit code masked."""
    if not tracker.get_slot(RECEIPT_WANTED):
        return label("receipt_none")
    title = slot_text(tracker, RECEIPT_TITLE)
    tax_id = unseal(tracker.get_slot(RECEIPT_TAX_ID)) or ""
    if tracker.get_slot(RECEIPT_KIND) == "company":
        return label("receipt_company", title=title, tax_id=mask_credit_code(tax_id))
    return label("receipt_person", title=mask_name(title), tax_id=mask_id_number(tax_id))


def donor_line(tracker: Tracker) -> str:
    """The donor part of the summary, the name masked like every name shown back ("张*")."""
    if tracker.get_slot(ANONYMOUS):
        return label("donor_anonymous")
    return mask_name(slot_text(tracker, DONOR_NAME))


async def project_name(code: str) -> str:
    """The project's name for the summary (its code when the back office is unreachable)."""
    try:
        project: Project = await get_donation_api().get_project(code)
    except BackofficeError:
        return code
    return project.name


class ActionAskDonationConfirmed(Action):
    """Shows the summary of the donation and asks the citizen to confirm it."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_ask_donation_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the summary (personal data masked) with 确认 / 取消 buttons from the domain."""
        dispatcher.utter_message(
            response="utter_ask_donation_confirmed",
            project=await project_name(slot_text(tracker, PROJECT)),
            amount=yuan(Decimal(slot_text(tracker, AMOUNT) or "0")),
            donor=donor_line(tracker),
            receipt=receipt_line(tracker),
            phone=mask_phone(slot_text(tracker, PHONE)),
        )
        return []


def pledge_request(tracker: Tracker) -> PledgeRequest:
    """The pledge the form's answers describe."""
    anonymous = bool(tracker.get_slot(ANONYMOUS))
    receipt_wanted = bool(tracker.get_slot(RECEIPT_WANTED))
    kind = tracker.get_slot(RECEIPT_KIND) if receipt_wanted else None
    return PledgeRequest(
        project_code=slot_text(tracker, PROJECT),
        amount=Decimal(slot_text(tracker, AMOUNT)),
        anonymous=anonymous,
        donor_name=None if anonymous else slot_text(tracker, DONOR_NAME) or None,
        receipt_wanted=receipt_wanted,
        receipt_kind=kind if kind in ("person", "company") else None,
        receipt_title=slot_text(tracker, RECEIPT_TITLE) if receipt_wanted else None,
        receipt_tax_id=unseal(tracker.get_slot(RECEIPT_TAX_ID)) if receipt_wanted else None,
        contact_phone=slot_text(tracker, PHONE),
        conversation_id=tracker.sender_id[:64],
    )


class ActionSubmitDonationPledge(Action):
    """After the form: hand over large amounts, drop a declined summary, or make the pledge."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_submit_donation_pledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Make the pledge and give its reference and the official way to pay."""
        if tracker.get_slot(NEEDS_STAFF):
            return await self._hand_over(dispatcher, tracker, domain)
        if not tracker.get_slot(CONFIRMED):
            dispatcher.utter_message(response="utter_donation_not_submitted")
            return [*reset_form_slots(), SlotSet(PLEDGE_MADE, None)]
        try:
            created = await get_donation_api().create_pledge(pledge_request(tracker))
        except BackofficeRejectedError as error:
            if error.code == "project_not_active":
                dispatcher.utter_message(response="utter_donation_project_closed")
            else:
                dispatcher.utter_message(
                    response="utter_donation_pledge_refused", detail=error.detail
                )
            return [*reset_form_slots(), SlotSet(PLEDGE_MADE, None)]
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return []
        dispatcher.utter_message(
            response="utter_donation_pledge_created",
            reference=created.reference,
            project=created.project_name,
            amount=yuan(created.amount),
            payment_channels=created.payment_channels,
            never_ask=created.never_ask,
        )
        return [*reset_form_slots(), SlotSet(PLEDGE_MADE, created.reference)]

    async def _hand_over(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        maximum = ""
        with contextlib.suppress(BackofficeError):
            maximum = yuan((await get_donation_api().get_policy()).staff_confirmation_above)
        amount = slot_text(tracker, AMOUNT)
        dispatcher.utter_message(
            response="utter_donation_needs_staff",
            amount=yuan(Decimal(amount or "0")),
            maximum=maximum,
        )
        # The rule runs action_start_handoff next: staff see the project and amount in the case
        # (`donation_staff_request`), and the answers are cleared so a later donation starts anew.
        request = f"{slot_text(tracker, PROJECT)} {amount}"
        known = domain.get("slots", {})
        handoff = {HANDOFF_REASON_SLOT: HANDOFF_REASON, HANDOFF_SERVICE_SLOT: SERVICE}
        return [
            *reset_form_slots(),
            SlotSet(STAFF_REQUEST, request),
            *(SlotSet(name, value) for name, value in handoff.items() if name in known),
        ]
