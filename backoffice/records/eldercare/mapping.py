"""Records → the API's schemas (used by the routes); names and phones are masked here."""

from __future__ import annotations

import datetime as dt

from backoffice.records.eldercare.facilities import facility_needs
from backoffice.records.eldercare.models import EldercareFacility, EldercareVisit
from backoffice.records.eldercare.schemas import (
    Availability,
    FacilityOut,
    Origin,
    Relaxation,
    SearchResult,
    StaffVisitList,
    StaffVisitOut,
    VisitOut,
)
from backoffice.records.eldercare.search import FacilitySearch
from backoffice.records.eldercare.visits import VisitPlaces
from zhtext.idcard import mask_name, mask_phone
from zhtext.places import default_table


def facility_out(facility: EldercareFacility, distance: float | None = None) -> FacilityOut:
    """The API shape of a facility (with its distance from the search origin, if any)."""
    return FacilityOut(
        code=facility.code,
        name=facility.name,
        kind=facility.kind,
        ownership=facility.ownership,
        district_code=facility.district_code,
        district_name=default_table().get(facility.district_code).name,
        street=facility.street,
        address=facility.address,
        phone=facility.phone,
        lat=facility.lat,
        lon=facility.lon,
        total_beds=facility.total_beds,
        nursing_beds=facility.nursing_beds,
        vacancies=facility.vacancies,
        price_min=facility.price_min,
        price_max=facility.price_max,
        meal_price=facility.meal_price,
        opening_hours=facility.opening_hours,
        needs=facility_needs(facility),
        dementia_care=facility.dementia_care,
        offers_day_care=facility.offers_day_care,
        offers_short_stay=facility.offers_short_stay,
        accepts_visits=facility.visit_capacity > 0,
        is_sample=facility.is_sample,
        note=facility.note,
        distance_km=None if distance is None else round(distance, 1),
    )


def search_result_out(search: FacilitySearch) -> SearchResult:
    """One page of a search, with what to relax when nothing matched."""
    origin = search.origin
    return SearchResult(
        total=search.total,
        offset=search.offset,
        items=[facility_out(m.facility, m.distance) for m in search.page],
        origin=Origin.model_validate(origin, from_attributes=True) if origin else None,
        excluded_by=search.excluded_by,
        relaxations=[
            Relaxation.model_validate(r, from_attributes=True) for r in search.relaxations
        ],
    )


def availability_out(places: VisitPlaces) -> Availability:
    """Free visit places of a facility in the morning and the afternoon of one day."""
    return Availability.model_validate(places, from_attributes=True)


def visit_out(visit: EldercareVisit, *, created: bool = True) -> VisitOut:
    """A visit for the family that booked it, name and phone masked."""
    return VisitOut(
        reference=visit.reference,
        facility_code=visit.facility.code,
        facility_name=visit.facility.name,
        facility_address=visit.facility.address,
        facility_phone=visit.facility.phone,
        visit_date=visit.visit_date,
        half_day=visit.half_day,
        visitor_name_masked=mask_name(visit.visitor_name),
        phone_masked=mask_phone(visit.phone),
        status=visit.status,
        created=created,
    )


def staff_visit_list_out(
    facility: EldercareFacility, visit_date: dt.date, visits: list[EldercareVisit]
) -> StaffVisitList:
    """A facility's visits of one day for staff (cancelled ones too), names masked."""
    return StaffVisitList(
        facility_code=facility.code,
        facility_name=facility.name,
        visit_date=visit_date,
        booked=sum(1 for visit in visits if visit.status == "booked"),
        visits=[
            StaffVisitOut(
                reference=visit.reference,
                half_day=visit.half_day,
                visitor_name_masked=mask_name(visit.visitor_name),
                phone_masked=mask_phone(visit.phone),
                status=visit.status,
                created_at=visit.created_at,
            )
            for visit in visits
        ],
    )
