"""Starting a pre-screen, running it in the back office and explaining the result; corrections."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.prescreen import PrescreenResult, get_prescreen_api
from actions.confirm_service import ask_back
from actions.context_answers import answer_as_unplaced
from actions.knowledge import knowledge_reply_kind
from actions.prescreen import answers, slots
from actions.prescreen.verdict import verdict_lines
from actions.prescreen.volunteered import tells_household_facts
from actions.prescreen.wording import Template, programme_values, render

logger = logging.getLogger(__name__)

DOCUMENT_LINE = Template(response="utter_prescreen_document_line")
CORRECTION_ENTITY = "prescreen_field"


class ActionStartPrescreen(Action):
    """Introduces the pre-screen and clears the answers of any earlier one."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_start_prescreen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say what will happen, then start from a clean slate."""
        dispatcher.utter_message(response="utter_prescreen_intro")
        return [SlotSet(slot, None) for slot in slots.ALL_SLOTS]


def _utter_verdict(
    dispatcher: CollectingDispatcher, domain: DomainDict, result: PrescreenResult
) -> None:
    """The short result: one message, a line per programme; the details come on request."""
    dispatcher.utter_message(
        response="utter_prescreen_verdict",
        reference=result.reference,
        as_of=result.as_of.isoformat(),
        verdicts=verdict_lines(
            domain, [p.model_dump(mode="json") for p in result.programmes], result.as_of
        ),
    )


def _utter_details(
    dispatcher: CollectingDispatcher, domain: DomainDict, result: PrescreenResult, permit: bool
) -> None:
    """Every reason with its figures, the disclaimer, how to apply, and the offer of a person."""
    for programme in result.programmes:
        values: dict[str, Any] = programme_values(domain, programme.model_dump())
        dispatcher.utter_message(response="utter_prescreen_programme", **values)
    dispatcher.utter_message(response="utter_prescreen_disclaimer")
    application = result.application
    if application is not None:
        dispatcher.utter_message(
            response="utter_prescreen_how_to_apply",
            where=application.where_permit if permit else application.where,
            online=application.online,
            documents="\n".join(
                render(domain, DOCUMENT_LINE, document=document)
                for document in application.documents
            ),
        )
    dispatcher.utter_message(response="utter_prescreen_offer_review")


class ActionPrescreenHousehold(Action):
    """Sends the answers to the back office's rule engine and explains each programme's result."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_prescreen_household"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Pre-screen (logged by the back office), then result, disclaimer, how to apply, offer."""
        facts = slots.household_facts(tracker)
        try:
            result = await get_prescreen_api().prescreen(
                facts=facts, conversation_id=tracker.sender_id
            )
        except BackofficeError:
            logger.warning("pre-screen failed", exc_info=True)
            dispatcher.utter_message(response="utter_prescreen_unavailable")
            return []
        _utter_verdict(dispatcher, domain, result)
        details = {
            "result": result.model_dump(mode="json"),
            "permit": facts["residence"] == "permit",
        }
        return [SlotSet(slots.REFERENCE, result.reference), SlotSet(slots.DETAILS, details)]


class ActionShowPrescreenDetails(Action):
    """After the short result, on request: every reason, the disclaimer and how to apply."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_show_prescreen_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Explain the latest result of this conversation (no new pre-screen is run or logged)."""
        details = tracker.get_slot(slots.DETAILS)
        if not isinstance(details, dict):
            details = {}
        try:
            result = PrescreenResult.model_validate(details.get("result"))
            permit = bool(details.get("permit"))
        except ValidationError:
            # No result in this conversation (the button of an earlier chat, or a restart).
            dispatcher.utter_message(response="utter_prescreen_details_missing")
            return []
        _utter_details(dispatcher, domain, result, permit)
        return []


def _field_from_entity(tracker: Tracker) -> answers.Field | None:
    value = next(tracker.get_latest_entity_values(CORRECTION_ENTITY), None)
    if value is None:
        return None
    named = answers.field_named(str(value))
    return named


def _answer_to_requested_slot(tracker: Tracker, text: str) -> EventType | None:
    """The answer to the question being asked, when a message taken for a correction is one."""
    if tracker.active_loop.get("name") != "prescreen_form":
        return None
    requested = tracker.get_slot("requested_slot")
    field = next((f for f, slot in answers.FIELD_SLOTS.items() if slot == requested), None)
    if field is None:
        return None
    value = answers.read_field(field, text)
    return SlotSet(answers.FIELD_SLOTS[field], value) if value is not None else None


def _prescreened_before(tracker: Tracker) -> bool:
    """Whether this conversation has pre-screen answers to correct."""
    return any(tracker.get_slot(slot) is not None for slot in slots.ANSWER_SLOTS)


class ActionCorrectPrescreenAnswer(Action):
    """Changes an earlier answer: takes the new value if said, otherwise asks the item again."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_correct_prescreen_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Set or clear the answer; the pre-screen form runs next and fills what is missing."""
        text = tracker.latest_message.get("text") or ""
        if not _prescreened_before(tracker):
            # A "correction" in a conversation without a pre-screen has nothing to correct;
            # without any pre-screen fact in it, it is no correction at all, nor when it is
            # another department's business ("广东户口迁回海南落户的程序": 落户 is the police's).
            names_a_fact = answers.field_named(text) is not None or tells_household_facts(text)
            if not names_a_fact or knowledge_reply_kind(tracker) == "other_agency":
                return await answer_as_unplaced(dispatcher, tracker)
            return ask_back(dispatcher, "request_prescreen")
        field = _field_from_entity(tracker)
        value: Any = None
        if field is None:
            field = answers.field_named(text)
            if field is not None:
                value = answers.read_field(field, text)
        if field is None:
            answered = _answer_to_requested_slot(tracker, text)
            if answered is not None:
                # "一个月差不多两千五" read as a correction is simply the answer being asked for.
                return [answered]
        events: list[EventType] = [SlotSet(slots.REFERENCE, None)]
        if field is None:
            # The form asks "您想修改哪一项？" first.
            return [
                *events,
                SlotSet(slots.CORRECTION_PENDING, True),
                SlotSet(slots.CORRECTION_FIELD, None),
            ]
        slot = answers.FIELD_SLOTS[field]
        events += [SlotSet(slots.CORRECTION_PENDING, False), SlotSet(slots.CORRECTION_FIELD, field)]
        if field == "income":
            events.append(SlotSet(slots.INCOME_CANDIDATE, None))
        if value is not None:
            dispatcher.utter_message(response="utter_prescreen_corrected")
            return [*events, SlotSet(slot, value)]
        dispatcher.utter_message(response="utter_prescreen_correct_again")
        if field == "district":
            events.append(SlotSet(slots.RESIDENCE, None))
        return [*events, SlotSet(slot, None)]
