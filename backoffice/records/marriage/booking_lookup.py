"""Finding a booking: by reference with a proof (citizens) or by reference alone (staff)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.records.marriage.models import MarriageBooking
from backoffice.records.marriage.refusals import refusal
from zhtext.phone import parse_phone

REFERENCE_PREFIX = "HY"


def normalise_reference(reference: str) -> str:
    """Uppercase, without spaces; "hy 20261201 0007" → "HY-20261201-0007"."""
    compact = "".join(ch for ch in reference.upper() if ch.isalnum())
    if len(compact) == 14 and compact.startswith(REFERENCE_PREFIX) and compact[2:].isdigit():
        return f"{compact[:2]}-{compact[2:10]}-{compact[10:]}"
    return reference.strip().upper()


def find_booking(
    *,
    session: Session,
    reference: str,
    phone: str | None = None,
    id_last4: str | None = None,
) -> MarriageBooking:
    """The booking with this reference, if the caller also knows its phone or an ID's last 4.

    Unknown references and wrong answers get the same answer, so a reference alone reveals
    nothing. Repeated wrong answers are limited by the routes (`backoffice/lookup_guard.py`,
    per time window), not here: a stranger's guesses must not lock the owner out for good.

    Raises:
        ApiError: `not_found` (404).
    """
    booking = staff_find_booking(session=session, reference=reference)
    if not _proves_ownership(booking, phone=phone, id_last4=id_last4):
        raise refusal("not_found", 404)
    return booking


def staff_find_booking(*, session: Session, reference: str) -> MarriageBooking:
    """The booking with this reference, without a proof: for logged-in staff only.

    Raises:
        ApiError: `not_found` (404).
    """
    booking = session.scalar(
        select(MarriageBooking).where(MarriageBooking.reference == normalise_reference(reference))
    )
    if booking is None:
        raise refusal("not_found", 404)
    return booking


def _proves_ownership(booking: MarriageBooking, *, phone: str | None, id_last4: str | None) -> bool:
    if phone:
        parsed = parse_phone(phone)
        if parsed.number is not None and parsed.number == booking.phone:
            return True
    if id_last4:
        last4 = id_last4.strip().upper()
        return any(
            number[-4:].upper() == last4
            for number in (booking.party1_id_number, booking.party2_id_number)
        )
    return False
