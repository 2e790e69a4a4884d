"""What a citizen is told while nobody is on duty: the truth about what happens next.

Outside office hours (and without extra duty) no one answers until the next opening, so the desk
gives no place in a queue and no wait estimate. A waiting citizen who leaves a phone number in
the chat gets an urgent call-back request (the staff see it first thing at `/console/callbacks`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from backoffice.records.handoff import callback_requests
from backoffice.records.handoff.desk_state import DeskHours
from backoffice.records.handoff.models import HandoffTicket
from backoffice.records.handoff.texts import citizen_text
from zhtext.idcard import mask_phone
from zhtext.phone import parse_phone


def off_hours_text(availability: DeskHours) -> str:
    """After the emergency numbers of a crisis: the next opening, the call-back, 12345."""
    if availability.next_opening_text:
        return citizen_text("urgent_off_hours", opening=availability.next_opening_text)
    return citizen_text("urgent_off_hours_no_opening", hours=availability.hours)


def off_hours_waiting(session: Session, ticket: HandoffTicket, text: str) -> str:
    """The notice for a message to a waiting ticket while nobody is on duty.

    A phone number in the message becomes a call-back request of the ticket's reason.
    """
    phone = parse_phone(text).number if text else None
    if phone is None:
        return citizen_text("waiting_off_hours")
    callback_requests.create_callback(
        session=session,
        conversation_id=ticket.conversation_id,
        channel=ticket.channel,
        phone=phone,
        preferred_time=citizen_text("callback_time_asap"),
        preferred_date=None,
        preferred_half_day=None,
        service=ticket.service,
        reason=ticket.reason,
    )
    return citizen_text("callback_saved_off_hours", phone=mask_phone(phone))
