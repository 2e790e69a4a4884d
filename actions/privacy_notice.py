"""The privacy notice before the first ID number or phone a service asks for (issue 20, item 7).

Where it goes: Rasa asks a form's questions itself (`utter_ask_<slot>`), right after the form's
validation action `validate_<form>` returns; Rasa 3.6 runs that action before every question of a
form, at activation too. So the action server (`actions/server.py`) looks at what a validation
action returns, works out the slot Rasa will ask next the way Rasa does (the `requested_slot` the
action set, else the form's first empty required slot) and, when that slot is an ID number or a
phone of a service whose notice this conversation has not had yet, adds the notice after the
action's own messages: the citizen reads it just above the question. An action that asks in its
own words (the marriage look-up's introduction) gets the notice before that message. The forms
themselves are unchanged: they keep working however they read answers, as long as the slots named
below keep their names.

Once: the notice carries `privacy_notice: <service>`, which Rasa keeps as the bot event's metadata,
so a later turn finds it in the tracker (no slot, so no domain change and no retraining). It is
told once per service in a conversation session; a new session (after an hour of silence) tells it
again. The words come from `core/privacy.yml`, the same entry per service as the `/privacy` page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from core.privacy import PAGE_PATH, load_privacy
from core.settings import get_settings

METADATA_KEY = "privacy_notice"
REQUESTED_SLOT = "requested_slot"
VALIDATION_PREFIX = "validate_"
SESSION_STARTS = frozenset({"session_started", "restart"})

# The form slots whose question asks for an ID number or a phone, and the service (an entry of
# `core/privacy.yml`) whose notice comes before it. tests/actions/test_privacy_notice.py checks
# that every question of the domain asking for one is listed.
PERSONAL_SLOTS: Mapping[str, str] = {
    "marriage_party1_id": "marriage",
    "marriage_party2_id": "marriage",
    "marriage_phone": "marriage",
    "marriage_lookup_proof": "marriage",
    "receipt_tax_id": "donation",
    "donation_phone": "donation",
    "donation_lookup_phone": "donation",
    "eldercare_visitor_phone": "eldercare",
    "eldercare_cancel_phone": "eldercare",
    "status_id_number": "prescreen_status",
    "status_phone": "prescreen_status",
    "handoff_callback_phone": "callback",
}
# Responses that an action (not a form) utters and that ask for an ID number or a phone.
ASKING_RESPONSES: Mapping[str, str] = {"utter_marriage_lookup_intro": "marriage"}


def next_form_slot(
    action_name: str,
    tracker: Mapping[str, Any],
    domain: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
) -> str | None:
    """The slot Rasa's form asks next after its validation action `action_name` returned `events`.

    As Rasa 3.6's `FormAction.request_next_slot`: nothing when the events end the form; else the
    first `requested_slot` they set; else the first required slot that is still empty.
    """
    if not action_name.startswith(VALIDATION_PREFIX):
        return None
    form = (domain.get("forms") or {}).get(action_name.removeprefix(VALIDATION_PREFIX))
    if not isinstance(form, Mapping):
        return None
    requested = [e.get("value") for e in events if _is_slot_event(e, REQUESTED_SLOT)]
    loops = [e for e in events if e.get("event") == "active_loop"]
    if (requested and requested[-1] is None) or (loops and loops[-1].get("name") is None):
        return None
    chosen = next((value for value in requested if value), None)
    if isinstance(chosen, str):
        return chosen
    slots = dict(tracker.get("slots") or {})
    for event in events:
        if event.get("event") == "slot":
            slots[str(event.get("name"))] = event.get("value")
    return next(
        (slot for slot in form.get("required_slots") or [] if slots.get(slot) is None), None
    )


def services_told(tracker: Mapping[str, Any]) -> set[str]:
    """The services whose notice was sent in the current conversation session."""
    told: set[str] = set()
    for event in tracker.get("events") or []:
        if event.get("event") in SESSION_STARTS:
            told.clear()
        elif event.get("event") == "bot":
            service = (event.get("metadata") or {}).get(METADATA_KEY)
            if isinstance(service, str):
                told.add(service)
    return told


def with_privacy_notice(
    action_call: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    responses: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """`responses` of one action call, with the notice added where it is due (see the module).

    Args:
        action_call: Rasa's request: `next_action`, `tracker` and `domain`.
        events: The events the action returned.
        responses: The messages the action uttered.

    Returns:
        The messages to send; `responses` itself when no notice is due.
    """
    tracker = action_call.get("tracker") or {}
    told = services_told(tracker)
    for index, message in enumerate(responses):
        service = ASKING_RESPONSES.get(str(message.get("response")))
        if service is not None:
            if service in told:
                return responses
            return [*responses[:index], notice_message(service), *responses[index:]]
    slot = next_form_slot(
        str(action_call.get("next_action") or ""), tracker, action_call.get("domain") or {}, events
    )
    service = PERSONAL_SLOTS.get(slot or "")
    if service is None or service in told:
        return responses
    return [*responses, notice_message(service)]


def notice_message(service: str) -> dict[str, Any]:
    """The notice of `service` as a message of the action server, marked with its service."""
    settings = get_settings()
    origin = (settings.site_origin or settings.backoffice_url).rstrip("/")
    text = load_privacy(retention_days=settings.retention_days).short_notice(
        service, page_url=f"{origin}{PAGE_PATH}"
    )
    dispatcher = CollectingDispatcher()
    dispatcher.utter_message(text=text, privacy_notice=service)  # the key is METADATA_KEY
    return dispatcher.messages[0]


def _is_slot_event(event: Mapping[str, Any], name: str) -> bool:
    return event.get("event") == "slot" and event.get("name") == name
