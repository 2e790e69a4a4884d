"""Checking a pledge later: both the reference and the contact phone are needed."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.donation import get_donation_api
from actions.donation.parsing import find_reference, yuan
from actions.form_answers import read_phone
from actions.lookup_refusals import ask_back_office, say_lookup_refused

REFERENCE = "pledge_reference"
PHONE = "donation_lookup_phone"


class ValidatePledgeLookupForm(FormValidationAction):
    """Checks the reference format and the phone number before asking the back office."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_pledge_lookup_form"

    async def validate_pledge_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A reference like CS-20261128-0001 (spaces, dashes and lower case are fine).

        The slot may come from an entity the NLU cut short ("cs-20261128" of "cs-20261128-0001"),
        so the citizen's whole message is searched when the value alone is not a reference.
        """
        said = str(tracker.latest_message.get("text") or "")
        reference = find_reference(str(value)) or find_reference(said)
        if reference is None:
            dispatcher.utter_message(response="utter_donation_reference_invalid")
        return {REFERENCE: reference}

    async def validate_donation_lookup_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The phone number given when pledging."""
        return {PHONE: read_phone(dispatcher, str(value), {}, "utter_donation_phone_invalid")}


class ActionCheckDonationPledge(Action):
    """Tells the citizen the state of a pledge found by reference plus phone."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_check_donation_pledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the status (with what happens next), or that nothing matched."""
        reset = [SlotSet(REFERENCE, None), SlotSet(PHONE, None)]
        reference, phone = tracker.get_slot(REFERENCE), tracker.get_slot(PHONE)
        if not reference or not phone:
            dispatcher.utter_message(response="utter_donation_pledge_not_found")
            return reset
        pledge = await ask_back_office(
            dispatcher,
            get_donation_api().lookup_pledge(reference=str(reference), contact_phone=str(phone)),
            lambda error: say_lookup_refused(dispatcher, error, "utter_donation_pledge_not_found"),
        )
        if isinstance(pledge, BackofficeError):
            return reset
        values: dict[str, Any] = {
            "reference": pledge.reference,
            "project": pledge.project_name,
            "amount": yuan(pledge.amount),
            "status_name": pledge.status_name,
        }
        if pledge.status == "pending":
            dispatcher.utter_message(response="utter_donation_pledge_pending", **values)
        elif pledge.status == "paid" and pledge.receipt_wanted:
            dispatcher.utter_message(response="utter_donation_pledge_paid_receipt_due", **values)
        elif pledge.status == "paid":
            dispatcher.utter_message(response="utter_donation_pledge_paid", **values)
        elif pledge.status == "receipt_issued":
            dispatcher.utter_message(response="utter_donation_pledge_receipt_issued", **values)
        else:
            dispatcher.utter_message(response="utter_donation_pledge_cancelled", **values)
        return reset
