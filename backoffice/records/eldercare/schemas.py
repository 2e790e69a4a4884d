"""API shapes of the eldercare records: facility search, details and visit bookings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

FacilityKind = Literal["institution", "day_center", "canteen", "family_bed"]
Ownership = Literal["public", "private"]
Need = Literal["disabled", "semi_disabled", "dementia", "meals", "day_care", "short_stay"]
HalfDay = Literal["am", "pm"]
Condition = Literal["area", "need", "budget", "vacancy"]
VisitStatus = Literal["booked", "cancelled"]

Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
PhoneText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32)]


class SearchQuery(BaseModel):
    """What a family looks for. Every field is optional; unset means "any".

    ``district`` is a district code; ``place`` a street or landmark of the gazetteer
    (zhtext/data/streets.yml); ``lat``/``lon`` a shared location. The distance origin is the
    shared location, else the place, else the district's centre. ``radius_km`` limits the area
    around the origin. ``budget`` is the most the family can pay per month: a facility matches
    when its lowest monthly price is within it.
    """

    model_config = ConfigDict(extra="forbid")

    district: str | None = None
    place: str | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    radius_km: Annotated[float, Field(gt=0, le=300)] | None = None
    need: Need | None = None
    kinds: list[FacilityKind] | None = None
    budget: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    require_vacancy: bool = True
    offset: Annotated[int, Field(ge=0)] = 0
    limit: Annotated[int, Field(ge=1, le=20)] = 3


class FacilityOut(BaseModel):
    """A facility as the API returns it; ``distance_km`` only when there is an origin."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: FacilityKind
    ownership: Ownership | None
    district_code: str
    district_name: str
    street: str
    address: str
    phone: str
    lat: float
    lon: float
    total_beds: int | None
    nursing_beds: int | None
    vacancies: int | None
    price_min: int | None
    price_max: int | None
    meal_price: int | None
    opening_hours: str | None
    needs: list[Need]
    dementia_care: bool
    offers_day_care: bool
    offers_short_stay: bool
    accepts_visits: bool
    is_sample: bool
    note: str | None
    distance_km: float | None = None


class Origin(BaseModel):
    """Where distances were measured from."""

    lat: float
    lon: float
    source: Literal["location", "place", "district"]
    label: str | None = None


class Relaxation(BaseModel):
    """How many facilities one relaxed condition would give.

    ``budget`` (for condition "budget") is the lowest monthly budget that gives a result.
    """

    condition: Condition
    count: int
    budget: int | None = None


class SearchResult(BaseModel):
    """One page of matching facilities, nearest first, and what to relax when none match."""

    total: int
    offset: int
    items: list[FacilityOut]
    origin: Origin | None = None
    excluded_by: Condition | None = None
    relaxations: list[Relaxation] = Field(default_factory=list)


class Availability(BaseModel):
    """Free visit places of a facility on one day."""

    facility_code: str
    visit_date: dt.date
    am: int
    pm: int
    bookable: bool


class VisitCreate(BaseModel):
    """A visit booking request (参观预约)."""

    model_config = ConfigDict(extra="forbid")

    facility_code: ShortText
    visit_date: dt.date
    half_day: HalfDay
    visitor_name: PersonName
    phone: PhoneText
    conversation_id: Annotated[str, StringConstraints(max_length=128)] | None = None


class VisitProof(BaseModel):
    """The phone number the visit was booked with, as proof.

    Failed attempts count against the reference and the phone, whoever asks (a new conversation
    id per guess changes nothing), as for marriage bookings and donation pledges.
    """

    model_config = ConfigDict(extra="forbid")

    phone: PhoneText


class VisitOut(BaseModel):
    """A visit booking as shown back: the visitor's name and phone masked.

    ``created`` is False when an identical live booking already existed.
    """

    reference: str
    facility_code: str
    facility_name: str
    facility_address: str
    facility_phone: str
    visit_date: dt.date
    half_day: HalfDay
    visitor_name_masked: str
    phone_masked: str
    status: VisitStatus
    created: bool = True


MonthlyPrice = Annotated[int, Field(ge=0, le=1_000_000)]


class FacilityUpdate(BaseModel):
    """What staff change about a facility: vacancies and prices (only the fields sent).

    Prices are monthly yuan except ``meal_price`` (one meal). A field sent as null is refused:
    the records never forget a figure by accident.
    """

    model_config = ConfigDict(extra="forbid")

    vacancies: Annotated[int, Field(ge=0, le=100_000)] | None = None
    price_min: MonthlyPrice | None = None
    price_max: MonthlyPrice | None = None
    meal_price: Annotated[int, Field(ge=0, le=10_000)] | None = None

    @model_validator(mode="after")
    def _something_given(self) -> FacilityUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one of vacancies, price_min, price_max, meal_price")
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null")
        return self


class StaffVisitOut(BaseModel):
    """A visit as staff see it in a facility's day list: names and phones masked."""

    reference: str
    half_day: HalfDay
    visitor_name_masked: str
    phone_masked: str
    status: VisitStatus
    created_at: dt.datetime | None


class StaffVisitList(BaseModel):
    """The visits booked at one facility on one day, morning first."""

    facility_code: str
    facility_name: str
    visit_date: dt.date
    booked: int
    visits: list[StaffVisitOut]
