"""`validate_marriage_form`: reads each answer of the booking form in natural Chinese.

Any message may fill several slots at once ("下周三上午在西湖区登记结婚"), and at the summary a
correction ("日期改成下周五") changes one answer and shows the summary again. When the answer says
nothing the form can use and the intent is a digression, 转人工 or stop, the validator returns no
events: Rasa then rejects the form and the rules of `bot/data/rules/marriage.yml` take over.

What a message may fill: `place` (business type, office, date, half-day, from any message),
`people` (names, ID numbers, phone: only when asked), `corrections` (a changed answer and the
summary's 确认预约); the turn being read is `form_turn.Turn`.
"""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.marriage import get_marriage_api
from actions.marriage import common as s
from actions.marriage.corrections import apply_correction, read_confirmation
from actions.marriage.form_turn import Turn
from actions.marriage.parsing import (
    is_affirmation,
    match_office,
    parse_booking_date,
    parse_business_type,
    parse_correction,
    parse_half_day_answer,
    parse_id_answer,
    reads_as_question,
)
from actions.marriage.people import NARROW_SLOTS, read_narrow
from actions.marriage.place import read_broad
from zhtext.city_time import city_today
from zhtext.names import parse_person_name
from zhtext.phone import parse_phone

OWN_ACTIONS = frozenset(
    {
        "marriage_form",
        "validate_marriage_form",
        "action_start_marriage_booking",
        "action_listen",
        "action_extract_slots",
    }
)


class ValidateMarriageForm(FormValidationAction):
    """Validates and fills the marriage booking form from free text and buttons."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_marriage_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Read the latest answer; see the module docstring."""
        return await validate_answer(dispatcher, tracker, own_actions=OWN_ACTIONS)


async def validate_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, own_actions: frozenset[str]
) -> list[EventType]:
    """Read the latest message as an answer to the requested slot (and any other slot).

    Args:
        dispatcher: Where replies go.
        tracker: The conversation.
        own_actions: Actions that may run between the message and this validation without the
            message counting as already handled.

    Returns:
        Slot events; none when the message was not an answer (Rasa then rejects the form).
    """
    if not s.has_fresh_user_message(tracker, own_actions):
        return []
    text = s.latest_text(tracker).strip()
    requested = tracker.get_slot("requested_slot")
    if text.startswith("/") and requested != s.CONFIRMED:
        return []  # a button with an intent payload (转人工, 算了 …): nothing to read
    intent, confidence = s.latest_intent(tracker)
    interrupting = (
        intent in s.INTERRUPTING_INTENTS and confidence >= s.INTERRUPTION_CONFIDENCE
    ) or s.is_side_question(intent, text)
    turn = Turn(
        api=get_marriage_api(),
        dispatcher=dispatcher,
        values={slot: tracker.get_slot(slot) for slot in (*s.FORM_SLOTS, *s.HELPER_SLOTS)},
        today=city_today(),
    )
    try:
        understood = await read_answer(turn, text, requested, intent, interrupting)
    except BackofficeError:
        dispatcher.utter_message(response="utter_records_unavailable")
        return [SlotSet(requested, None)] if requested else []
    if not understood:
        if interrupting or not requested:
            return []
        turn.say(s.UNCLEAR_RESPONSES.get(requested, "utter_marriage_unclear_confirmed"))
        return [SlotSet(requested, None)]
    if requested and requested not in turn.changes:
        turn.changes[requested] = turn.values.get(requested)
    return [SlotSet(slot, value) for slot, value in turn.changes.items()]


async def read_answer(
    turn: Turn, text: str, requested: str | None, intent: str, interrupting: bool
) -> bool:
    """Fill slots from one message; returns False when nothing in it could be used."""
    if interrupting and not await _answers_requested(turn, text, requested):
        return False  # "领证要带什么材料？" names a business but answers nothing: a side question
    if requested == s.CONFIRMED:
        return await read_confirmation(turn, text, intent)
    correction = parse_correction(text)
    if correction is not None:
        await apply_correction(turn, correction)
        return True
    if requested in NARROW_SLOTS:
        await read_narrow(turn, requested, text)
        return True
    return await read_broad(turn, text, requested)


async def _answers_requested(turn: Turn, text: str, requested: str | None) -> bool:
    """Whether a message that looks like a digression still answers the requested slot.

    A question is never an answer, even when it names one ("结婚要带什么材料？" names the
    business, "可以周末去吗？" asks at the summary): the knowledge rule answers it and the form
    asks again. An answer followed by a check ("12月3号可以吗？") is still an answer.
    """
    if reads_as_question(text):
        return False
    if requested == s.BUSINESS_TYPE:
        return parse_business_type(text) is not None
    if requested == s.OFFICE:
        return match_office(text, await turn.offices()) is not None
    if requested == s.DATE:
        return parse_booking_date(text, today=turn.today)[0] is not None
    if requested == s.HALF_DAY:
        return parse_half_day_answer(text) is not None
    if requested == s.CONFIRMED:
        return is_affirmation(text) or parse_correction(text) is not None
    kind = NARROW_SLOTS.get(requested or "")
    if kind == "name":
        return parse_person_name(text) is not None  # "我叫孙悦" may look like 转人工 to the NLU
    if kind == "id":
        answer = parse_id_answer(text, today=turn.today)
        return answer is not None and answer.number is not None
    if kind == "phone":
        return parse_phone(text).number is not None
    return False
