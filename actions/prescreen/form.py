"""The pre-screen form: validation of each answer and the questions whose wording depends on state.

Each answer is kept in its slot as a small dict (`status` given / unknown / refused, `value`,
`approximate`), so "不清楚" and "不想说" travel to the rule engine, which turns them into
"需要人工评估" with a reason. For numbers the first "不清楚" asks for an estimate; the second marks
the item unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.confirm_service import unasked_words
from actions.prescreen import answers, slots
from actions.prescreen.volunteered import volunteered_answers
from actions.prescreen.wording import format_yuan
from zhtext.places import all_districts

SlotValues = dict[str, Any]
_ESTIMATE_FIRST = (slots.HOUSEHOLD_SIZE, slots.INCOME, slots.SAVINGS)


def _known_district(value: Any) -> bool:
    return value == slots.UNKNOWN_DISTRICT or value in {d.code for d in all_districts()}


def _unsure_list(tracker: Tracker) -> list[str]:
    value = tracker.get_slot(slots.UNSURE)
    return list(value) if isinstance(value, list) else []


def _not_known(
    slot: str, text: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> SlotValues | None:
    """Handle "不清楚" and "不想说"; None when the answer was neither."""
    if answers.says_refused(text) or tracker.get_intent_of_latest_message() == "decline_answer":
        dispatcher.utter_message(response="utter_prescreen_marked_refused")
        return {slot: answers.refused() if slot != slots.DISTRICT else slots.UNKNOWN_DISTRICT}
    if not answers.says_unsure(text):
        return None
    asked_before = _unsure_list(tracker)
    if slot in _ESTIMATE_FIRST and slot not in asked_before:
        if slot == slots.HOUSEHOLD_SIZE:
            dispatcher.utter_message(response="utter_prescreen_estimate_household_size")
        else:
            dispatcher.utter_message(response="utter_prescreen_estimate_amount")
        return {slot: None, slots.UNSURE: [*asked_before, slot]}
    dispatcher.utter_message(response="utter_prescreen_marked_unknown")
    return {slot: answers.unknown() if slot != slots.DISTRICT else slots.UNKNOWN_DISTRICT}


def _read_answer(
    slot: str,
    value: Any,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    read: Callable[[str], answers.Answer | None],
    invalid: str,
    when_denied: answers.Answer | None = None,
    unsure_first: bool = False,
) -> SlotValues:
    """One answer of the pre-screen: read, "不清楚" / "不想说", or what was not understood.

    Args:
        slot: The slot being validated.
        value: Its value: None (cleared: nothing to check), an answer already read (a dict, from
            a button or an earlier message), or the citizen's text.
        dispatcher: Where a reply goes.
        tracker: The conversation.
        read: Reads the answer from the text (None when it says none).
        invalid: The response saying the answer was not understood.
        when_denied: The answer a plain "没有" (intent `deny`) gives when `read` finds none.
        unsure_first: "不清楚" / "不想说" are looked for before the answer is read (for the
            amounts, where "不清楚，大概两万" is unsure); else after.
    """
    if value is None:  # cleared by a correction or a restart: nothing to check
        return {slot: None}
    if isinstance(value, dict):
        return {slot: value}
    text = str(value)
    if unsure_first and (not_known := _not_known(slot, text, dispatcher, tracker)) is not None:
        return not_known
    answer = read(text)
    if answer is None and when_denied is not None:
        answer = when_denied if tracker.get_intent_of_latest_message() == "deny" else None
    if answer is not None:
        return {slot: answer}
    if not unsure_first and (not_known := _not_known(slot, text, dispatcher, tracker)) is not None:
        return not_known
    dispatcher.utter_message(response=invalid)
    return {slot: None}


def _volunteered(tracker: Tracker, slot: str) -> SlotValues:
    """`slot` from the citizen's words when they said it unasked (the asked one reads itself)."""
    text = unasked_words(tracker, slot)
    value = volunteered_answers(text).get(slot) if text is not None else None
    return {} if value is None else {slot: value}


class ValidatePrescreenForm(FormValidationAction):
    """Reads each pre-screen answer and says exactly what was not understood."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_prescreen_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Ask which answer to change only when a correction did not say which."""
        if tracker.get_slot(slots.CORRECTION_PENDING):
            return domain_slots
        return [slot for slot in domain_slots if slot != slots.CORRECTION_FIELD]

    async def extract_prescreen_district(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A district named before it is asked."""
        return _volunteered(tracker, slots.DISTRICT)

    async def extract_prescreen_household_size(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """The household size ("三口人") said before it is asked."""
        return _volunteered(tracker, slots.HOUSEHOLD_SIZE)

    async def extract_prescreen_income(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """The income ("每月收入两千") said before it is asked."""
        return _volunteered(tracker, slots.INCOME)

    def validate_prescreen_district(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """户籍区县 (or residence permit, or neither)."""
        if value is None:  # cleared by a correction or a restart: nothing to check
            return {slots.DISTRICT: None}
        if _known_district(value):
            return {slots.DISTRICT: value}
        text = str(value)
        not_known = _not_known(slots.DISTRICT, text, dispatcher, tracker)
        if not_known is not None:
            return not_known
        reading = answers.read_district(text)
        result: SlotValues = {slots.DISTRICT: None}
        if reading.residence is not None:
            result[slots.RESIDENCE] = reading.residence
        elif reading.outside:
            result[slots.RESIDENCE] = "outside"
        if reading.match is not None and reading.match.needs_choice:
            dispatcher.utter_message(
                response="utter_prescreen_choose_district",
                former=reading.match.matched,
                buttons=[{"title": d.name, "payload": d.name} for d in reading.match.candidates],
            )
            return result
        district = reading.district
        if district is not None:
            if reading.match is not None and reading.match.former is not None:
                dispatcher.utter_message(
                    response="utter_prescreen_district_merged",
                    former=reading.match.former.name,
                    district=district.name,
                )
            result[slots.DISTRICT] = district.code
            return result
        if reading.residence is None and not reading.outside:
            dispatcher.utter_message(response="utter_prescreen_invalid_district")
        return result

    def validate_prescreen_household_size(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """How many people count as the household."""
        return _read_answer(
            slots.HOUSEHOLD_SIZE, value, dispatcher, tracker,
            read=answers.read_household_size, invalid="utter_prescreen_invalid_household_size",
        )  # fmt: skip

    def validate_prescreen_income(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Total monthly household income, with "no income but a salary" checked."""
        if value is None:  # cleared by a correction or a restart: nothing to check
            return {slots.INCOME: None}
        if isinstance(value, dict):
            return {slots.INCOME: value, slots.INCOME_CANDIDATE: None}
        text = str(value)
        candidate = tracker.get_slot(slots.INCOME_CANDIDATE)
        intent = tracker.get_intent_of_latest_message()
        if candidate is not None and intent == "affirm":
            answer: answers.Answer = {"status": "given", "value": str(candidate)}
            return {slots.INCOME: answer, slots.INCOME_CANDIDATE: None}
        reading = answers.read_income(text)
        if reading.conflicting_amount is not None:
            # Asked again by action_ask_prescreen_income, which names both answers.
            return {slots.INCOME: None, slots.INCOME_CANDIDATE: str(reading.conflicting_amount)}
        if reading.answer is not None:
            if reading.money is not None and reading.money.period == "year":
                dispatcher.utter_message(
                    response="utter_prescreen_income_yearly",
                    yearly=format_yuan(str(reading.money.value)),
                    monthly=format_yuan(str(reading.money.per_month())),
                )
            return {slots.INCOME: reading.answer, slots.INCOME_CANDIDATE: None}
        not_known = _not_known(slots.INCOME, text, dispatcher, tracker)
        if not_known is not None:
            return {**not_known, slots.INCOME_CANDIDATE: None}
        dispatcher.utter_message(response="utter_prescreen_invalid_income")
        return {slots.INCOME: None, slots.INCOME_CANDIDATE: None}

    def validate_prescreen_savings(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Total savings and other financial assets."""
        return _read_answer(
            slots.SAVINGS, value, dispatcher, tracker,
            read=answers.read_savings, invalid="utter_prescreen_invalid_savings",
            unsure_first=True,
        )  # fmt: skip

    def validate_prescreen_assets(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Vehicles and housing beyond the home ("没有": neither)."""
        none: answers.Answer = {
            "status": "given",
            "value": {"vehicle": False, "extra_housing": False},
        }
        return _read_answer(
            slots.ASSETS, value, dispatcher, tracker,
            read=answers.read_assets, invalid="utter_prescreen_invalid_assets",
            when_denied=none, unsure_first=True,
        )  # fmt: skip

    def validate_prescreen_circumstances(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Special circumstances (several allowed; "没有": none)."""
        none: answers.Answer = {"status": "given", "value": []}
        return _read_answer(
            slots.CIRCUMSTANCES, value, dispatcher, tracker,
            read=answers.read_circumstances, invalid="utter_prescreen_invalid_circumstances",
            when_denied=none,
        )  # fmt: skip

    def validate_prescreen_correction_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Which earlier answer to change: that answer is cleared and asked again."""
        if value is None:  # cleared by a correction or a restart: nothing to check
            return {slots.CORRECTION_FIELD: None}
        field = answers.field_named(str(value))
        if field is None:
            dispatcher.utter_message(response="utter_prescreen_invalid_field")
            return {slots.CORRECTION_FIELD: None}
        return {
            slots.CORRECTION_FIELD: field,
            slots.CORRECTION_PENDING: False,
            answers.FIELD_SLOTS[field]: None,
        }


class ActionAskPrescreenDistrict(Action):
    """Asks for the district; the wording depends on what is known about the registration."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_ask_prescreen_district"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask the question that fits: registration, residence-permit district, or permit?"""
        residence = tracker.get_slot(slots.RESIDENCE)
        if residence == "permit":
            dispatcher.utter_message(response="utter_prescreen_ask_district_permit")
        elif residence == "none":
            dispatcher.utter_message(response="utter_prescreen_ask_district_none")
        elif residence == "outside":
            dispatcher.utter_message(response="utter_prescreen_ask_permit")
        else:
            dispatcher.utter_message(response="utter_ask_prescreen_district")
        return []


class ActionAskPrescreenIncome(Action):
    """Asks for the income, or which of two contradicting answers is right."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_ask_prescreen_income"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask for the income; after "没有收入 … 两千" ask which is right."""
        candidate = tracker.get_slot(slots.INCOME_CANDIDATE)
        if candidate is not None:
            amount = format_yuan(str(Decimal(str(candidate))))
            dispatcher.utter_message(response="utter_prescreen_confirm_income", amount=amount)
        else:
            dispatcher.utter_message(response="utter_ask_prescreen_income")
        return []
