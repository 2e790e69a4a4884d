"""The booking rules editors keep in `knowledge/policies/marriage_booking.yml`."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from core.settings import get_settings

BookingType = Literal["marriage", "divorce", "reissue"]
HalfDay = Literal["am", "pm"]
BOOKING_TYPES: tuple[BookingType, ...] = ("marriage", "divorce", "reissue")
POLICY_FILE_NAME = "marriage_booking.yml"


class Source(BaseModel):
    """Where a rule comes from."""

    title: str
    url: str | None = None
    clause: str | None = None
    confidence: str
    effective_from: dt.date | None = None


class BookingWindow(BaseModel):
    """Which days may be booked: from the n-th next working day up to `horizon_days` ahead."""

    lead_working_days: int = Field(ge=1, le=30)
    horizon_days: int = Field(ge=1, le=120)
    source: Source


class WeekendRule(BaseModel):
    """Weekend registration: by appointment at the offices, not bookable in this assistant.

    The same ``statement`` is quoted by the knowledge article ``marriage-weekend-booking``.
    """

    statement: str
    form_reply: str
    effective_from: dt.date
    source: Source


class MinimumAge(BaseModel):
    """Legal marriage age by sex."""

    male: int = Field(ge=16, le=30)
    female: int = Field(ge=16, le=30)
    source: Source


class Alternatives(BaseModel):
    """How many alternatives to offer when a half-day is full."""

    same_office: int = Field(ge=0, le=10)
    other_offices: int = Field(ge=0, le=10)


class BookingTypeRule(BaseModel):
    """One business that can be booked, with what to bring."""

    label: str
    effective_from: dt.date
    sample: bool
    documents: list[str] = Field(min_length=1)
    note: str = ""
    source: Source


class MarriagePolicy(BaseModel):
    """The whole policy file."""

    version: int
    updated: dt.date
    booking_window: BookingWindow
    weekend: WeekendRule
    minimum_age: MinimumAge
    cooling_off_days: int = Field(ge=1, le=90)
    cooling_off_source: Source
    alternatives: Alternatives
    booking_types: dict[BookingType, BookingTypeRule]

    def label(self, booking_type: BookingType) -> str:
        """Chinese name of a booking type ("结婚登记")."""
        return self.booking_types[booking_type].label


def load_policy(path: Path) -> MarriagePolicy:
    """Read and check a policy file.

    Raises:
        pydantic.ValidationError: When a field is missing or wrong.
        OSError: When the file cannot be read.
    """
    with path.open(encoding="utf-8") as handle:
        return MarriagePolicy.model_validate(yaml.safe_load(handle))


@lru_cache(maxsize=1)
def get_policy() -> MarriagePolicy:
    """The policy of this process (read once from the knowledge folder)."""
    return load_policy(get_settings().knowledge_dir / "policies" / POLICY_FILE_NAME)
