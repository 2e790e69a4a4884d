"""转人工: a ticket with the case attached, a call-back off hours, and the bot's return.

Every trigger runs `action_start_handoff`: the citizen asks (intent request_human), the second
failure in a row offers the button, a service step that needs a person sets `handoff_reason` /
`handoff_service` first. Crisis words never get here: the gateway handles them before Rasa.
After the ticket is opened the gateway pauses Rasa and routes the citizen's messages to staff.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError, BackofficeRejectedError
from actions.clients.handoff import (
    CallbackRequest,
    TicketRequest,
    TranscriptLine,
    get_handoff_api,
)
from actions.form_answers import read_phone
from actions.not_understood import OFFER_HUMAN, user_turns
from core.chat import TICKET_OPENED
from core.sealing import SEALED_PREFIX, unseal
from zhtext.idcard import mask_id_number
from zhtext.references import find_references

REASON_SLOT = "handoff_reason"
SERVICE_SLOT = "handoff_service"
RESUME_FORM_SLOT = "handoff_resume_form"
PHONE_SLOT = "handoff_callback_phone"
TIME_SLOT = "handoff_callback_time"
SERVICES = ("marriage", "prescreen", "eldercare", "donation")
MAX_TRANSCRIPT = 60
MAX_REFERENCES = 50
MAX_TIME_CHARS = 50
# Slots that describe the conversation machinery, not the citizen's case.
_NOT_CASE = frozenset({"requested_slot", "session_started_metadata"})


def offered_after_failures(tracker: Tracker) -> bool:
    """True when the bot's previous turn offered a person after failing to understand twice."""
    turns = user_turns(tracker.events)
    if len(turns) < 2:
        return False
    return any(
        event.get("event") == "bot"
        and (event.get("metadata") or {}).get("utter_action") == OFFER_HUMAN
        for event in turns[-2]
    )


def interrupted_form(tracker: Tracker) -> str | None:
    """The form this turn deactivated to hand over (so the bot can resume it), if any."""
    if tracker.active_loop.get("name"):
        return str(tracker.active_loop["name"])
    events = tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    deactivated_now = any(
        e.get("event") == "active_loop" and e.get("name") is None for e in events[last_user + 1 :]
    )
    if not deactivated_now:
        return None
    for event in reversed(events[: last_user + 1]):
        if event.get("event") == "active_loop":
            name = event.get("name")
            return str(name) if name and name != "handoff_callback_form" else None
    return None


def service_of(tracker: Tracker, form: str | None) -> str | None:
    """The service the citizen was using: the slot, the interrupted form, or the last intent."""
    slot = tracker.get_slot(SERVICE_SLOT)
    if slot:
        return str(slot)
    names = [form or ""] + [
        str((e.get("parse_data") or {}).get("intent", {}).get("name") or "")
        for e in reversed(tracker.events)
        if e.get("event") == "user"
    ]
    for name in names:
        for service in SERVICES:
            if service in name:
                return service
        if name == "ask_policy_question":
            return "knowledge"
    return None


def transcript_of(tracker: Tracker) -> list[TranscriptLine]:
    """The texts of the conversation since the last restart, oldest first (at most 60 lines)."""
    lines: list[TranscriptLine] = []
    for event in tracker.events:
        kind = event.get("event")
        text = event.get("text")
        if kind == "restart":
            lines.clear()
        elif kind in ("user", "bot") and isinstance(text, str) and text.strip():
            lines.append(TranscriptLine(kind="citizen" if kind == "user" else "bot", text=text))
    return lines[-MAX_TRANSCRIPT:]


def references_of(tracker: Tracker) -> list[str]:
    """Reference numbers anywhere in the conversation (before a restart too): HY-…, YS-…."""
    texts = [
        str(event.get("text"))
        for event in tracker.events
        if event.get("event") in ("user", "bot") and event.get("text")
    ]
    texts += [value for value in tracker.current_slot_values().values() if isinstance(value, str)]
    return find_references(texts)[:MAX_REFERENCES]


def case_slots(tracker: Tracker) -> dict[str, Any]:
    """The slots collected so far (the back office masks ID numbers; sealed ones arrive masked)."""
    return {
        name: _opened_masked(value)
        for name, value in tracker.current_slot_values().items()
        if value not in (None, "", [], {})
        and name not in _NOT_CASE
        and not name.startswith("handoff_")
    }


def _opened_masked(value: Any) -> Any:
    """A sealed ID number (core/sealing.py) as staff may see it: masked, never the ciphertext."""
    if isinstance(value, str) and value.startswith(SEALED_PREFIX):
        return mask_id_number(unseal(value) or "")
    return value


class ActionStartHandoff(Action):
    """Opens a ticket and tells the citizen their place in the queue, or offers a call-back."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_start_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask the back office for a person with the case attached."""
        form = interrupted_form(tracker)
        service = service_of(tracker, form)
        reason = tracker.get_slot(REASON_SLOT) or (
            "bot_failed" if offered_after_failures(tracker) else "citizen_request"
        )
        request = TicketRequest(
            conversation_id=tracker.sender_id,
            reason=str(reason),
            service=service,
            slots=case_slots(tracker),
            active_form=form,
            transcript=transcript_of(tracker),
            references=references_of(tracker),
        )
        try:
            outcome = await get_handoff_api().request_ticket(request)
        except BackofficeError:
            dispatcher.utter_message(response="utter_human_hotline")
            return []
        events: list[dict[str, Any]] = [
            SlotSet(RESUME_FORM_SLOT, form),
            SlotSet(SERVICE_SLOT, service),
            SlotSet(REASON_SLOT, str(reason)),
        ]
        if outcome.outcome == "outside_hours":
            dispatcher.utter_message(
                response="utter_handoff_outside_hours",
                hours=outcome.hours,
                next_opening=outcome.next_opening_text or outcome.hours,
            )
            return events
        dispatcher.utter_message(
            response="utter_handoff_queued"
            if outcome.outcome == "queued"
            else "utter_handoff_already_queued",
            position=outcome.position or 1,
            wait_minutes=outcome.wait_minutes or 1,
        )
        dispatcher.utter_message(json_message=TICKET_OPENED)
        # The reason belongs to this ticket; a later request starts fresh.
        return [*events[:2], SlotSet(REASON_SLOT, None)]


class ActionContinueConversation(Action):
    """After staff hand back (or the citizen cancels waiting): greet again and resume."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_continue_conversation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Resume the interrupted form if there was one, else offer the menu."""
        form = tracker.get_slot(RESUME_FORM_SLOT)
        if form and form in (domain.get("forms") or {}):
            dispatcher.utter_message(response="utter_handoff_resume_form")
            return [SlotSet(RESUME_FORM_SLOT, None), FollowupAction(str(form))]
        dispatcher.utter_message(response="utter_handoff_welcome_back")
        return [SlotSet(RESUME_FORM_SLOT, None)]


class ValidateHandoffCallbackForm(FormValidationAction):
    """Checks the call-back phone number and preferred time."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_handoff_callback_form"

    async def validate_handoff_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A personal mobile or landline number, normalised; service numbers are refused."""
        rejections = {"service_number": "utter_handoff_phone_service_number"}
        number = read_phone(dispatcher, str(value or ""), rejections, "utter_handoff_phone_invalid")
        return {PHONE_SLOT: number}

    async def validate_handoff_callback_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Any short description of a convenient time ("明天上午", "工作日下午")."""
        text = str(value or "").strip()
        if not text or len(text) > MAX_TIME_CHARS or text.startswith("/"):
            dispatcher.utter_message(response="utter_handoff_time_invalid")
            return {TIME_SLOT: None}
        return {TIME_SLOT: text}


class ActionSubmitHandoffCallback(Action):
    """Records the call-back request in the back office."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_submit_handoff_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send phone and preferred time; confirm with the number masked."""
        request = CallbackRequest(
            conversation_id=tracker.sender_id,
            phone=str(tracker.get_slot(PHONE_SLOT) or ""),
            preferred_time=str(tracker.get_slot(TIME_SLOT) or ""),
            service=tracker.get_slot(SERVICE_SLOT),
            reason=str(tracker.get_slot(REASON_SLOT) or "citizen_request"),
        )
        clear = [SlotSet(PHONE_SLOT, None), SlotSet(TIME_SLOT, None), SlotSet(REASON_SLOT, None)]
        try:
            receipt = await get_handoff_api().request_callback(request)
        except BackofficeRejectedError as error:
            key = "utter_handoff_phone_invalid" if error.code == "bad_phone" else None
            dispatcher.utter_message(response=key or "utter_handoff_callback_failed")
            return clear
        except BackofficeError:
            dispatcher.utter_message(response="utter_handoff_callback_failed")
            return clear
        dispatcher.utter_message(
            response="utter_handoff_callback_saved",
            phone=receipt.phone_masked,
            preferred_time=receipt.preferred_time,
            hours=receipt.hours,
        )
        return clear
