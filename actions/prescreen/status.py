"""Status of an existing assistance application: identity number AND phone, then the stage."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.prescreen import get_prescreen_api
from actions.lookup_refusals import ask_back_office, say_lookup_refused
from actions.prescreen.wording import Template, programme_label
from core.sealing import seal, unseal
from zhtext.idcard import mask_id_number, validate_id_number
from zhtext.phone import parse_phone
from zhtext.places import get_district

ID_NUMBER = "status_id_number"
PHONE = "status_phone"
# The identity number inside a longer answer ("我的身份证是 3301 0619 …"): digits, spaces, X.
_ID_CANDIDATE = re.compile(r"[0-9０-９][0-9０-９\s\-]{13,22}[0-9０-９Xxｘ]")

STAGE_RESPONSES: dict[str, Template] = {
    "accepted": Template(response="utter_prescreen_status_accepted"),
    "investigating": Template(response="utter_prescreen_status_investigating"),
    "publicising": Template(response="utter_prescreen_status_publicising"),
    "approved": Template(response="utter_prescreen_status_approved"),
    "rejected": Template(response="utter_prescreen_status_rejected"),
}


def _id_candidate(text: str) -> str:
    found = _ID_CANDIDATE.search(text)
    return found.group(0) if found else text


class ValidateApplicationStatusForm(FormValidationAction):
    """Checks the identity number (GB 11643) and the phone number."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_application_status_form"

    def validate_status_id_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A valid 18-character identity number, or the exact problem."""
        check = validate_id_number(_id_candidate(str(value)))
        if check.valid and check.number:
            # Sealed: the tracker store must not keep raw ID numbers (core/sealing.py).
            return {ID_NUMBER: seal(check.number)}
        if check.reason == "length":
            dispatcher.utter_message(response="utter_prescreen_invalid_id_length")
        elif check.reason == "checksum":
            dispatcher.utter_message(response="utter_prescreen_invalid_id_checksum")
        else:
            dispatcher.utter_message(response="utter_prescreen_invalid_id_other")
        return {ID_NUMBER: None}

    def validate_status_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A personal phone number (not a service number)."""
        result = parse_phone(str(value))
        if result.valid:
            return {PHONE: result.number}
        if result.reason == "service_number":
            dispatcher.utter_message(response="utter_prescreen_invalid_phone_service")
        else:
            dispatcher.utter_message(response="utter_prescreen_invalid_phone")
        return {PHONE: None}


class ActionCheckApplicationStatus(Action):
    """Looks the application up with both identifiers and tells the stage and what comes next."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_check_application_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answer with the stage; the identifiers are cleared from the slots afterwards."""
        id_number = unseal(tracker.get_slot(ID_NUMBER))
        phone = tracker.get_slot(PHONE)
        forget: list[EventType] = [SlotSet(ID_NUMBER, None), SlotSet(PHONE, None)]
        if not id_number or not phone:
            dispatcher.utter_message(response="utter_prescreen_status_needs_both")
            return forget
        application = await ask_back_office(
            dispatcher,
            get_prescreen_api().find_application(id_number=str(id_number), phone=str(phone)),
            lambda error: say_lookup_refused(dispatcher, error, "utter_records_unavailable"),
        )
        if isinstance(application, BackofficeError):
            return forget
        if application is None:
            dispatcher.utter_message(
                response="utter_prescreen_status_not_found",
                id_masked=mask_id_number(str(id_number)),
            )
            return forget
        try:
            district = get_district(application.district_code).name
        except KeyError:
            district = application.district_code
        template = STAGE_RESPONSES.get(application.stage)
        if template is None:
            dispatcher.utter_message(response="utter_records_unavailable")
            return forget
        dispatcher.utter_message(
            response=template.response,
            reference=application.reference,
            programme=programme_label(domain, application.programme),
            district=district,
            submitted=application.submitted_on.isoformat(),
            updated=application.stage_updated_on.isoformat(),
        )
        return forget
