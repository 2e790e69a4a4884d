"""Booking details said outside a booking ("下周三上午", "张伟"): asked back, if details at all.

The citizen may be about to book or to look up a booking, so the assistant asks which, with
buttons. A message the classifier took for booking details but that holds no date, half-day,
business, ID number, phone or name is not that (``actions.context_answers``); nor is a message
the knowledge stage places, though it names a day: "2023元旦可以领结婚证吗" gets the marriage
office (or an article, once there is one), not "您是想预约或查询婚姻登记吗？".
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.context_answers import answer_as_unplaced
from actions.knowledge import knowledge_reply_kind
from actions.marriage.parsing import parse_booking_date, parse_business_type, parse_id_answer
from zhtext.city_time import city_today
from zhtext.names import parse_person_name

# A phone or ID number has at least this many digits.
NUMBER_DIGITS = 7
# A name said alone ("张伟", "我叫王芳") is short; a longer "name" is a sentence.
LONGEST_NAME = 4


def tells_booking_details(text: str) -> bool:
    """Whether `text` holds something the booking form reads."""
    today = city_today()
    day, half_day = parse_booking_date(text, today=today)
    if day is not None or half_day is not None or parse_business_type(text) is not None:
        return True
    if parse_id_answer(text, today=today) is not None:
        return True
    if sum(ch.isdigit() for ch in text) >= NUMBER_DIGITS:
        return True
    name = parse_person_name(text)
    return name is not None and len(name) <= LONGEST_NAME


class ActionMarriageDetailsWithoutForm(Action):
    """Asks whether to book or look up, or answers the message as one no service claims."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_marriage_details_without_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The pointer with buttons, or the unplaced reply; the citizen speaks next."""
        text = str(tracker.latest_message.get("text") or "")
        if text.startswith("/") or (
            tells_booking_details(text) and knowledge_reply_kind(tracker) == "not_understood"
        ):
            dispatcher.utter_message(response="utter_marriage_details_without_form")
            return [FollowupAction("action_listen")]
        return await answer_as_unplaced(dispatcher, tracker)
