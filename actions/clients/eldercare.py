"""Typed back-office API: eldercare facilities and visit bookings (参观预约)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, Field

from actions.clients.backoffice import BackofficeTransport, get_transport

FacilityKind = Literal["institution", "day_center", "canteen", "family_bed"]
Need = Literal["disabled", "semi_disabled", "dementia", "meals", "day_care", "short_stay"]
HalfDay = Literal["am", "pm"]
Condition = Literal["area", "need", "budget", "vacancy"]


class Facility(BaseModel):
    """A facility as the back office describes it."""

    code: str
    name: str
    kind: FacilityKind
    ownership: Literal["public", "private"] | None
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
    note: str | None = None
    distance_km: float | None = None


class Origin(BaseModel):
    """Where distances were measured from."""

    lat: float
    lon: float
    source: Literal["location", "place", "district"]
    label: str | None = None


class Relaxation(BaseModel):
    """How many facilities one relaxed condition would give."""

    condition: Condition
    count: int
    budget: int | None = None


class SearchQuery(BaseModel):
    """A search (see the back office's SearchQuery for the meaning of each field)."""

    district: str | None = None
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    need: Need | None = None
    kinds: list[FacilityKind] | None = None
    budget: int | None = None
    require_vacancy: bool = True
    offset: int = 0
    limit: int = 3


class SearchResult(BaseModel):
    """One page of results, or what to relax when there are none."""

    total: int
    offset: int
    items: list[Facility]
    origin: Origin | None = None
    excluded_by: Condition | None = None
    relaxations: list[Relaxation] = Field(default_factory=list)


class Availability(BaseModel):
    """Free visit places on one day."""

    facility_code: str
    visit_date: dt.date
    am: int
    pm: int
    bookable: bool

    def free(self, half_day: HalfDay) -> int:
        """Free places in one half-day."""
        return self.am if half_day == "am" else self.pm


class Visit(BaseModel):
    """A visit booking."""

    reference: str
    facility_code: str
    facility_name: str
    facility_address: str
    facility_phone: str
    visit_date: dt.date
    half_day: HalfDay
    visitor_name_masked: str
    phone_masked: str
    status: Literal["booked", "cancelled"]
    created: bool = True


class EldercareApi:
    """Eldercare search and visit bookings in the back office."""

    def __init__(self, transport: BackofficeTransport) -> None:
        self._transport = transport

    async def search(self, query: SearchQuery) -> SearchResult:
        """Facilities matching the query, nearest first."""
        body = query.model_dump(exclude_none=True)
        response = await self._transport.request("POST", "/api/eldercare/search", json=body)
        return SearchResult.model_validate_json(response.content)

    async def facility(self, code: str) -> Facility:
        """One facility's details (raises BackofficeRejectedError 404 when unknown)."""
        response = await self._transport.request("GET", f"/api/eldercare/facilities/{code}")
        return Facility.model_validate_json(response.content)

    async def availability(self, code: str, visit_date: dt.date) -> Availability:
        """Free visit places of a facility on one day."""
        response = await self._transport.request(
            "GET",
            f"/api/eldercare/facilities/{code}/availability",
            params={"visit_date": visit_date.isoformat()},
        )
        return Availability.model_validate_json(response.content)

    async def book_visit(
        self,
        *,
        facility_code: str,
        visit_date: dt.date,
        half_day: HalfDay,
        visitor_name: str,
        phone: str,
        conversation_id: str | None = None,
    ) -> Visit:
        """Book a visit (raises BackofficeRejectedError with code ``slot_full`` etc.)."""
        body: dict[str, Any] = {
            "facility_code": facility_code,
            "visit_date": visit_date.isoformat(),
            "half_day": half_day,
            "visitor_name": visitor_name,
            "phone": phone,
            "conversation_id": conversation_id,
        }
        response = await self._transport.request("POST", "/api/eldercare/visits", json=body)
        return Visit.model_validate_json(response.content)

    async def lookup_visit(self, *, reference: str, phone: str) -> Visit:
        """A visit proved by its phone (raises BackofficeRejectedError ``visit_not_found``)."""
        body = {"phone": phone}
        response = await self._transport.request(
            "POST", f"/api/eldercare/visits/{reference}/lookup", json=body
        )
        return Visit.model_validate_json(response.content)

    async def cancel_visit(self, *, reference: str, phone: str) -> Visit:
        """Cancel a visit (raises BackofficeRejectedError ``visit_not_found``)."""
        body = {"phone": phone}
        response = await self._transport.request(
            "POST", f"/api/eldercare/visits/{reference}/cancel", json=body
        )
        return Visit.model_validate_json(response.content)


@lru_cache(maxsize=1)
def get_eldercare_api() -> EldercareApi:
    """The shared eldercare API of this process."""
    return EldercareApi(get_transport())
