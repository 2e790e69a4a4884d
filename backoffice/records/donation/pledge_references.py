"""Pledge references: CS-YYYYMMDD-NNNN for money, CW-… for goods (the day in Hangzhou)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sqlalchemy.orm import Session

from backoffice.records.donation.models import DonationReferenceCounter
from backoffice.references import format_reference, next_number
from zhtext.city_time import CITY_TIMEZONE

MONEY_PREFIX = "CS"
GOODS_PREFIX = "CW"
_REFERENCE = re.compile(r"(CS|CW)-?(\d{8})-?(\d{4,6})")


def normalise_reference(value: str) -> str | None:
    """Canonical reference ("cs 20261128 0001" → "CS-20261128-0001"), or None if malformed."""
    cleaned = re.sub(r"[\s_.·—–]", "", unicodedata.normalize("NFKC", value)).upper()
    match = _REFERENCE.fullmatch(cleaned)
    if match is None:
        return None
    prefix, day, number = match.groups()
    return f"{prefix}-{day}-{int(number):04d}"


def next_reference(session: Session, prefix: str, now: dt.datetime) -> str:
    """Allocate the day's next number for `prefix` (atomic, in the caller's transaction)."""
    day = now.astimezone(CITY_TIMEZONE).date()
    number = next_number(session, DonationReferenceCounter, key=f"{prefix}-{day:%Y%m%d}")
    return format_reference(prefix, day, number)
