"""Typed back-office API: marriage-registration booking (`/api/marriage`)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from actions.clients.backoffice import BackofficeTransport, get_transport

HalfDay = Literal["am", "pm"]


class Office(BaseModel):
    """A registration office."""

    code: str
    name: str
    district_code: str
    level: str
    address: str
    phone: str
    hours: str
    keywords: list[str]
    sample: bool


class DayCheck(BaseModel):
    """Whether a day can be booked."""

    day: dt.date
    bookable: bool
    reason: str | None
    is_estimate: bool
    holiday_name: str | None
    first_day: dt.date
    last_day: dt.date
    next_bookable_days: list[dt.date]


class HalfDayPlace(BaseModel):
    """Places left in one half-day at one office."""

    office_code: str
    office_name: str
    day: dt.date
    half_day: HalfDay
    remaining: int
    is_estimate: bool


class Availability(BaseModel):
    """Room on the requested half-day, or alternatives."""

    day: DayCheck
    requested: HalfDayPlace | None
    same_office: list[HalfDayPlace]
    other_offices: list[HalfDayPlace]

    @property
    def has_room(self) -> bool:
        """True when the requested half-day can be booked."""
        return self.requested is not None and self.requested.remaining > 0


class BookingType(BaseModel):
    """A business that can be booked, with what to bring."""

    label: str
    sample: bool
    documents: list[str]
    note: str = ""


class MinimumAge(BaseModel):
    """Legal marriage age."""

    male: int
    female: int


class BookingWindow(BaseModel):
    """Which days may be booked: from the n-th next working day up to `horizon_days` ahead."""

    lead_working_days: int
    horizon_days: int


class WeekendRule(BaseModel):
    """What the form says when a weekend is asked for (from the editors' policy file)."""

    statement: str
    form_reply: str

    def reply(self, day: str) -> str:
        """The reply for one weekend day, e.g. ``“12月5日（周六）”是周末。…``."""
        return self.form_reply.format(day=day, statement=self.statement)


class Policy(BaseModel):
    """The booking rules the conversation needs."""

    booking_window: BookingWindow
    weekend: WeekendRule
    minimum_age: MinimumAge
    cooling_off_days: int
    booking_types: dict[str, BookingType]


class Person(BaseModel):
    """One party of a new booking (sent once, never shown back unmasked)."""

    name: str
    id_kind: Literal["id_card", "passport"]
    id_number: str


class NewBooking(BaseModel):
    """A booking request."""

    booking_type: str
    office_code: str
    day: dt.date
    half_day: HalfDay
    party1: Person
    party2: Person
    phone: str


class Booking(BaseModel):
    """A booking as the back office shows it (masked)."""

    reference: str
    booking_type: str
    booking_type_label: str
    status: str
    office: Office
    day: dt.date
    half_day: HalfDay
    day_is_estimate: bool
    party1_name: str
    party1_id_number: str
    party2_name: str
    party2_id_number: str
    phone: str


_OFFICES = TypeAdapter(list[Office])


class MarriageApi:
    """Marriage-registration offices, availability and bookings."""

    def __init__(self, transport: BackofficeTransport) -> None:
        self._transport = transport

    async def list_offices(self) -> list[Office]:
        """All offices, the municipal one first (reused for `REFERENCE_TTL_SECONDS`)."""
        return _OFFICES.validate_json(await self._transport.get_reference("/api/marriage/offices"))

    async def get_policy(self) -> Policy:
        """Legal age, documents per business, cooling-off days (reused for a short while)."""
        return Policy.model_validate_json(
            await self._transport.get_reference("/api/marriage/policy")
        )

    async def check_day(self, day: dt.date) -> DayCheck:
        """Whether `day` can be booked, and the next bookable days."""
        response = await self._transport.request(
            "GET", "/api/marriage/calendar", params={"day": day.isoformat()}
        )
        return DayCheck.model_validate_json(response.content)

    async def availability(
        self, *, office_code: str, day: dt.date, half_day: HalfDay | None, city_only: bool
    ) -> Availability:
        """Room on a half-day at an office, with alternatives when full."""
        params: dict[str, Any] = {"day": day.isoformat(), "city_only": city_only}
        if half_day:
            params["half_day"] = half_day
        response = await self._transport.request(
            "GET", f"/api/marriage/offices/{office_code}/availability", params=params
        )
        return Availability.model_validate_json(response.content)

    async def create_booking(self, booking: NewBooking) -> Booking:
        """Book; raises `BackofficeRejectedError` with the refusal code (`slot_full`, …)."""
        response = await self._transport.request(
            "POST", "/api/marriage/bookings", json=booking.model_dump(mode="json")
        )
        return Booking.model_validate_json(response.content)

    async def find_booking(
        self, *, reference: str, phone: str | None = None, id_last4: str | None = None
    ) -> Booking:
        """The booking, if the phone or ID's last 4 match; else `not_found`."""
        response = await self._transport.request(
            "POST",
            "/api/marriage/bookings/lookup",
            json={"reference": reference, "phone": phone, "id_last4": id_last4},
        )
        return Booking.model_validate_json(response.content)

    async def reschedule_booking(
        self,
        *,
        reference: str,
        phone: str | None,
        id_last4: str | None,
        day: dt.date,
        half_day: HalfDay,
        office_code: str | None = None,
    ) -> Booking:
        """Move a booking to another half-day (and office)."""
        response = await self._transport.request(
            "POST",
            f"/api/marriage/bookings/{reference}/reschedule",
            json={
                "phone": phone,
                "id_last4": id_last4,
                "day": day.isoformat(),
                "half_day": half_day,
                "office_code": office_code,
            },
        )
        return Booking.model_validate_json(response.content)

    async def cancel_booking(
        self, *, reference: str, phone: str | None, id_last4: str | None
    ) -> Booking:
        """Cancel a booking."""
        response = await self._transport.request(
            "POST",
            f"/api/marriage/bookings/{reference}/cancel",
            json={"phone": phone, "id_last4": id_last4},
        )
        return Booking.model_validate_json(response.content)


@lru_cache(maxsize=1)
def get_marriage_api() -> MarriageApi:
    """The shared marriage API of this process."""
    return MarriageApi(get_transport())
