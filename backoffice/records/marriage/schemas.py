"""API shapes of marriage-registration booking. Personal data leaves the API only masked."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backoffice.records.marriage.policy import BookingType, HalfDay

IdKind = Literal["id_card", "passport"]
Status = Literal["booked", "rescheduled", "cancelled", "attended", "no_show"]


class OfficeOut(BaseModel):
    """A registration office as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    district_code: str
    level: str
    address: str
    phone: str
    hours: str
    capacity_am: int
    capacity_pm: int
    keywords: list[str]
    sample: bool


class DayCheckOut(BaseModel):
    """Whether a day can be booked, and the window it was checked against."""

    day: dt.date
    bookable: bool
    reason: str | None
    is_estimate: bool
    holiday: str | None
    holiday_name: str | None
    first_day: dt.date
    last_day: dt.date
    next_bookable_days: list[dt.date]


class HalfDayOut(BaseModel):
    """Places left in one half-day at one office."""

    office_code: str
    office_name: str
    day: dt.date
    half_day: HalfDay
    remaining: int
    is_estimate: bool


class AvailabilityOut(BaseModel):
    """The answer to "is there a place at this office on this half-day?"."""

    day: DayCheckOut
    requested: HalfDayOut | None
    same_office: list[HalfDayOut]
    other_offices: list[HalfDayOut]


class PersonIn(BaseModel):
    """One party of the booking."""

    name: str = Field(min_length=1, max_length=64)
    id_kind: IdKind = "id_card"
    id_number: str = Field(min_length=1, max_length=32)


class BookingCreate(BaseModel):
    """A new booking."""

    booking_type: BookingType
    office_code: str = Field(min_length=1, max_length=32)
    day: dt.date
    half_day: HalfDay
    party1: PersonIn
    party2: PersonIn
    phone: str = Field(min_length=3, max_length=32)


class Verification(BaseModel):
    """What proves the caller owns a booking: its reference plus the phone or an ID's last 4."""

    phone: str | None = Field(default=None, max_length=32)
    id_last4: str | None = Field(default=None, min_length=4, max_length=4)

    @model_validator(mode="after")
    def _one_proof(self) -> Verification:
        if not self.phone and not self.id_last4:
            raise ValueError("phone or id_last4 is required")
        return self


class LookupRequest(Verification):
    """Find a booking."""

    reference: str = Field(min_length=6, max_length=20)


class RescheduleRequest(Verification):
    """Move a booking to another half-day (and optionally another office)."""

    day: dt.date
    half_day: HalfDay
    office_code: str | None = Field(default=None, max_length=32)


class HistoryOut(BaseModel):
    """One step of a booking's history."""

    status: Status
    office_code: str
    day: dt.date
    half_day: HalfDay
    at: dt.datetime


class BookingOut(BaseModel):
    """A booking as shown to its owner: names, ID numbers and phone are masked."""

    reference: str
    booking_type: BookingType
    booking_type_label: str
    status: Status
    office: OfficeOut
    day: dt.date
    half_day: HalfDay
    day_is_estimate: bool
    party1_name: str
    party1_id_number: str
    party2_name: str
    party2_id_number: str
    phone: str
    history: list[HistoryOut]


class AttendanceIn(BaseModel):
    """Staff record whether the couple came."""

    status: Literal["attended", "no_show"]
