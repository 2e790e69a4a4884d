"""The new time a reschedule request already names: "我想把时间改到下周五下午".

The request is kept when the look-up starts (`LOOKUP_REQUEST`); once the booking is found and
verified, its date and half-day are read exactly as the booking form reads an answer (the day's
rules, free places, suggestions), so the reschedule form asks only what is still missing.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker

from actions.clients.marriage import Booking, get_marriage_api
from actions.marriage import common as s
from actions.marriage.form import read_answer
from actions.marriage.form_turn import Turn
from zhtext.city_time import city_today

LOOKUP_REQUEST = "marriage_lookup_request"
RESCHEDULE_INTENT = "reschedule_marriage_booking"
# What a reschedule may take from the request: where, which day, which half-day.
TIME_SLOTS = (s.OFFICE, s.DATE, s.HALF_DAY, s.SUGGESTIONS)


async def time_asked_for(
    dispatcher: CollectingDispatcher, tracker: Tracker, booking: Booking
) -> dict[str, Any]:
    """Slot values for the new time the request named (empty when it named none)."""
    text = str(tracker.get_slot(LOOKUP_REQUEST) or "")
    if not text or text.startswith("/"):
        return {}
    turn = Turn(
        api=get_marriage_api(),
        dispatcher=dispatcher,
        values={s.OFFICE: booking.office.code, s.BUSINESS_TYPE: booking.booking_type},
        today=city_today(),
    )
    await read_answer(turn, text, s.DATE, RESCHEDULE_INTENT, interrupting=False)
    return {slot: value for slot, value in turn.changes.items() if slot in TIME_SLOTS}
