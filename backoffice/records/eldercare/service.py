"""Eldercare search (filters, nearest first, what to relax) and visit bookings (atomic)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.db import insert_ignore
from backoffice.records.eldercare.models import (
    EldercareFacility,
    EldercareReferenceCounter,
    EldercareVisit,
    EldercareVisitSlot,
)
from backoffice.records.eldercare.schemas import (
    Availability,
    Condition,
    FacilityOut,
    HalfDay,
    Need,
    Origin,
    Relaxation,
    SearchQuery,
    SearchResult,
)
from backoffice.references import format_reference, next_number
from core.errors import ApiError
from core.texts import TextCatalogue
from zhtext.idcard import mask_phone
from zhtext.phone import parse_phone
from zhtext.places import default_table
from zhtext.streets import default_place_table, distance_km

VISIT_WINDOW_DAYS = 30
REFERENCE_PREFIX = "YL"
_BOOKING_ATTEMPTS = 5
# Order in which conditions are applied when explaining an empty result.
CONDITIONS: tuple[Condition, ...] = get_args(Condition)

NEED_FLAGS: Mapping[Need, str] = {
    "disabled": "serves_disabled",
    "semi_disabled": "serves_semi_disabled",
    "dementia": "dementia_care",
    "meals": "offers_meals",
    "day_care": "offers_day_care",
    "short_stay": "offers_short_stay",
}


MESSAGES = TextCatalogue(Path(__file__).with_name("messages.yml"))


def refusal(code: str, status_code: int = 422) -> ApiError:
    """The refusal `code` with its message from messages.yml (422 unless said)."""
    return ApiError(status_code, code, MESSAGES.text_or_key(code))


# ---------------------------------------------------------------- facilities


def facility_needs(facility: EldercareFacility) -> list[Need]:
    """The needs a facility meets, in the order of ``Need``."""
    return [need for need, flag in NEED_FLAGS.items() if getattr(facility, flag)]


def to_out(facility: EldercareFacility, distance: float | None = None) -> FacilityOut:
    """The API shape of a facility."""
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


def get_facility(*, session: Session, code: str) -> EldercareFacility:
    """The facility with this code.

    Raises:
        ApiError: ``facility_not_found`` (404).
    """
    facility = session.scalar(select(EldercareFacility).where(EldercareFacility.code == code))
    if facility is None:
        raise refusal("facility_not_found", 404)
    return facility


@dataclass(frozen=True)
class _Candidate:
    facility: EldercareFacility
    distance: float | None
    passes: Mapping[Condition, bool]

    def passes_all_but(self, skipped: Condition | None) -> bool:
        return all(ok for condition, ok in self.passes.items() if condition != skipped)


def resolve_origin(query: SearchQuery) -> Origin | None:
    """Where to measure distances from: shared location, else place, else district centre.

    Raises:
        ApiError: ``unknown_district`` or ``unknown_place``.
    """
    if query.district is not None:
        try:
            default_table().get(query.district)
        except KeyError:
            raise refusal("unknown_district") from None
    if (query.lat is None) != (query.lon is None):
        raise refusal("incomplete_location")
    if query.lat is not None and query.lon is not None:
        return Origin(lat=query.lat, lon=query.lon, source="location")
    if query.place is not None:
        try:
            place = default_place_table().get(query.place)
        except KeyError:
            raise refusal("unknown_place") from None
        return Origin(lat=place.lat, lon=place.lon, source="place", label=place.name)
    if query.district is not None:
        lat, lon = default_place_table().centre(query.district)
        label = default_table().get(query.district).name
        return Origin(lat=lat, lon=lon, source="district", label=label)
    return None


def _condition_checks(
    query: SearchQuery, origin: Origin | None
) -> dict[Condition, Callable[[EldercareFacility, float | None], bool]]:
    def area(facility: EldercareFacility, distance: float | None) -> bool:
        if query.district is not None and facility.district_code != query.district:
            return False
        return query.radius_km is None or distance is None or distance <= query.radius_km

    def need(facility: EldercareFacility, _distance: float | None) -> bool:
        if query.kinds and facility.kind not in query.kinds:
            return False
        return query.need is None or bool(getattr(facility, NEED_FLAGS[query.need]))

    def budget(facility: EldercareFacility, _distance: float | None) -> bool:
        if query.budget is None or facility.price_min is None:
            return True
        return facility.price_min <= query.budget

    def vacancy(facility: EldercareFacility, _distance: float | None) -> bool:
        return not query.require_vacancy or facility.vacancies is None or facility.vacancies > 0

    if query.radius_km is not None and origin is None:
        raise refusal("radius_without_origin")
    return {"area": area, "need": need, "budget": budget, "vacancy": vacancy}


def search_facilities(*, session: Session, query: SearchQuery) -> SearchResult:
    """Facilities that meet every condition, nearest first, one page at a time.

    When none match, ``excluded_by`` names the first condition (in the order area, need, budget,
    vacancy) after which nothing was left, and ``relaxations`` says how many facilities dropping
    each of area, budget and vacancy alone would give (with the lowest budget that helps).

    Raises:
        ApiError: For an unknown district or place, or a half-given location.
    """
    origin = resolve_origin(query)
    checks = _condition_checks(query, origin)
    candidates = []
    for facility in session.scalars(select(EldercareFacility)):
        distance = (
            None
            if origin is None
            else distance_km(origin.lat, origin.lon, facility.lat, facility.lon)
        )
        passes = {name: check(facility, distance) for name, check in checks.items()}
        candidates.append(_Candidate(facility, distance, passes))
    matches = sorted(
        (c for c in candidates if c.passes_all_but(None)),
        key=lambda c: (c.distance if c.distance is not None else 0.0, c.facility.code),
    )
    page = matches[query.offset : query.offset + query.limit]
    result = SearchResult(
        total=len(matches),
        offset=query.offset,
        items=[to_out(c.facility, c.distance) for c in page],
        origin=origin,
    )
    if not matches:
        result.excluded_by = _first_excluding(candidates)
        result.relaxations = _relaxations(query, candidates)
    return result


def _first_excluding(candidates: Sequence[_Candidate]) -> Condition | None:
    remaining = list(candidates)
    for condition in CONDITIONS:
        remaining = [c for c in remaining if c.passes[condition]]
        if not remaining:
            return condition
    return None


def _relaxations(query: SearchQuery, candidates: Sequence[_Candidate]) -> list[Relaxation]:
    relaxations = []
    for condition in ("area", "budget", "vacancy"):
        if condition == "area" and query.district is None and query.radius_km is None:
            continue
        if condition == "budget" and query.budget is None:
            continue
        if condition == "vacancy" and not query.require_vacancy:
            continue
        freed = [c for c in candidates if c.passes_all_but(condition)]
        budget = None
        if condition == "budget" and freed:
            budget = min(c.facility.price_min or 0 for c in freed)
        relaxations.append(Relaxation(condition=condition, count=len(freed), budget=budget))
    return relaxations


def update_facility(
    *,
    session: Session,
    code: str,
    vacancies: int | None = None,
    price_min: int | None = None,
    price_max: int | None = None,
    meal_price: int | None = None,
) -> EldercareFacility:
    """Change a facility's vacancies and prices (None: leave as it is), checked together.

    Raises:
        ApiError: ``facility_not_found`` (404), ``vacancies_not_counted`` (a canteen),
            ``vacancies_above_beds``, ``price_incomplete`` or ``price_range_invalid`` (422).
    """
    # Locked for the check and the write: two staff changing min and max at once cannot leave
    # the minimum above the maximum (PostgreSQL; SQLite writes one at a time anyway).
    facility = session.scalar(
        select(EldercareFacility).where(EldercareFacility.code == code).with_for_update()
    )
    if facility is None:
        raise refusal("facility_not_found", 404)
    new_min = facility.price_min if price_min is None else price_min
    new_max = facility.price_max if price_max is None else price_max
    if vacancies is not None:
        if facility.kind == "canteen":
            raise refusal("vacancies_not_counted")
        if facility.total_beds is not None and vacancies > facility.total_beds:
            raise refusal("vacancies_above_beds")
    if (new_min is None) != (new_max is None):
        raise refusal("price_incomplete")
    if new_min is not None and new_max is not None and new_min > new_max:
        raise refusal("price_range_invalid")
    changes = {
        "vacancies": vacancies,
        "price_min": price_min,
        "price_max": price_max,
        "meal_price": meal_price,
    }
    for name, value in changes.items():
        if value is not None:
            setattr(facility, name, value)
    session.commit()
    session.refresh(facility)
    return facility


def visits_on(*, session: Session, code: str, visit_date: dt.date) -> list[EldercareVisit]:
    """The visits of one facility on one day (cancelled ones too), morning first.

    Raises:
        ApiError: ``facility_not_found`` (404).
    """
    facility = get_facility(session=session, code=code)
    return list(
        session.scalars(
            select(EldercareVisit)
            .where(
                EldercareVisit.facility_id == facility.id,
                EldercareVisit.visit_date == visit_date,
            )
            .order_by(EldercareVisit.half_day, EldercareVisit.reference)
        )
    )


def upsert_facilities(*, session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update facilities by code; returns how many rows were written."""
    existing = {f.code: f for f in session.scalars(select(EldercareFacility))}
    count = 0
    for row in rows:
        facility = existing.get(row["code"]) or EldercareFacility(code=row["code"])
        for key, value in row.items():
            setattr(facility, key, value)
        session.add(facility)
        count += 1
    session.commit()
    return count


# ---------------------------------------------------------------- visits


def normalise_phone(text: str) -> str:
    """The canonical form of a personal phone number.

    Raises:
        ApiError: ``invalid_phone``.
    """
    parsed = parse_phone(text)
    if parsed.number is None:
        raise refusal("invalid_phone")
    return parsed.number


def _check_window(visit_date: dt.date, today: dt.date) -> None:
    if not today < visit_date <= today + dt.timedelta(days=VISIT_WINDOW_DAYS):
        raise refusal("date_out_of_window")


def visit_availability(
    *, session: Session, code: str, visit_date: dt.date, today: dt.date
) -> Availability:
    """Free visit places in the morning and the afternoon of ``visit_date``."""
    facility = get_facility(session=session, code=code)
    slots = {
        slot.half_day: slot.capacity - slot.booked
        for slot in session.scalars(
            select(EldercareVisitSlot).where(
                EldercareVisitSlot.facility_id == facility.id,
                EldercareVisitSlot.visit_date == visit_date,
            )
        )
    }
    bookable = facility.visit_capacity > 0 and today < visit_date <= today + dt.timedelta(
        days=VISIT_WINDOW_DAYS
    )
    am = slots.get("am", facility.visit_capacity) if bookable else 0
    pm = slots.get("pm", facility.visit_capacity) if bookable else 0
    return Availability(facility_code=code, visit_date=visit_date, am=am, pm=pm, bookable=bookable)


def _live_visit(
    session: Session, facility_id: int, visit_date: dt.date, half_day: str, phone: str
) -> EldercareVisit | None:
    return session.scalar(
        select(EldercareVisit).where(
            EldercareVisit.facility_id == facility_id,
            EldercareVisit.visit_date == visit_date,
            EldercareVisit.half_day == half_day,
            EldercareVisit.phone == phone,
            EldercareVisit.status == "booked",
        )
    )


def _ensure_slot(session: Session, facility: EldercareFacility, day: dt.date, half: str) -> None:
    """Create the slot row if missing, without failing when another writer just did."""
    values = {
        "facility_id": facility.id,
        "visit_date": day,
        "half_day": half,
        "capacity": facility.visit_capacity,
        "booked": 0,
    }
    insert_ignore(session, EldercareVisitSlot, values)


def _claim(session: Session, facility_id: int, day: dt.date, half: str) -> bool:
    """Take one place of the slot if any is left (one conditional UPDATE: atomic)."""
    claimed = session.execute(
        update(EldercareVisitSlot)
        .where(
            EldercareVisitSlot.facility_id == facility_id,
            EldercareVisitSlot.visit_date == day,
            EldercareVisitSlot.half_day == half,
            EldercareVisitSlot.booked < EldercareVisitSlot.capacity,
        )
        .values(booked=EldercareVisitSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    return getattr(claimed, "rowcount", 0) == 1


def _next_reference(session: Session, day: dt.date) -> str:
    """YL-YYYYMMDD-NNNN: the visit day and a per-day counter (inside the transaction)."""
    return format_reference(
        REFERENCE_PREFIX, day, next_number(session, EldercareReferenceCounter, day=day)
    )


def book_visit(
    *,
    session: Session,
    facility_code: str,
    visit_date: dt.date,
    half_day: HalfDay,
    visitor_name: str,
    phone: str,
    conversation_id: str | None = None,
    today: dt.date,
) -> tuple[EldercareVisit, bool]:
    """Book a visit; returns the visit and whether it was created now.

    The same phone booking the same facility and half-day again gets the existing booking back.
    A place is claimed with a conditional UPDATE, so concurrent bookings never exceed capacity.

    Raises:
        ApiError: ``facility_not_found`` (404), ``visits_not_offered``,
            ``date_out_of_window``, ``invalid_phone`` (422) or ``slot_full`` (409).
    """
    facility = get_facility(session=session, code=facility_code)
    if facility.visit_capacity <= 0:
        raise refusal("visits_not_offered")
    _check_window(visit_date, today)
    number = normalise_phone(phone)
    facility_id = facility.id
    for _ in range(_BOOKING_ATTEMPTS):
        existing = _live_visit(session, facility_id, visit_date, half_day, number)
        if existing is not None:
            return existing, False
        try:
            _ensure_slot(session, facility, visit_date, half_day)
            if not _claim(session, facility_id, visit_date, half_day):
                session.rollback()
                raise refusal("slot_full", 409)
            visit = EldercareVisit(
                reference=_next_reference(session, visit_date),
                facility_id=facility_id,
                visit_date=visit_date,
                half_day=half_day,
                visitor_name=visitor_name,
                phone=number,
                status="booked",
                conversation_id=conversation_id,
            )
            session.add(visit)
            session.commit()
            return visit, True
        except IntegrityError:
            # Another booking took the same reference number, or the same phone booked twice
            # at once: start again (the claimed place was rolled back with the transaction).
            session.rollback()
    raise refusal("busy", 409)


def find_visit(*, session: Session, reference: str, phone: str) -> EldercareVisit:
    """The visit with this reference, if ``phone`` is the one it was booked with.

    Raises:
        ApiError: ``visit_not_found`` (404) also when the phone does not match.
    """
    visit = session.scalar(
        select(EldercareVisit).where(EldercareVisit.reference == reference.strip().upper())
    )
    parsed = parse_phone(phone)
    if visit is None or parsed.number != visit.phone:
        raise refusal("visit_not_found", 404)
    return visit


def cancel_visit(
    *, session: Session, reference: str, phone: str, now: dt.datetime | None = None
) -> EldercareVisit:
    """Cancel a visit and give its place back; cancelling twice is harmless.

    Raises:
        ApiError: ``visit_not_found`` (404).
    """
    visit = find_visit(session=session, reference=reference, phone=phone)
    if visit.status != "booked":
        return visit
    changed = session.execute(
        update(EldercareVisit)
        .where(EldercareVisit.id == visit.id, EldercareVisit.status == "booked")
        .values(status="cancelled", cancelled_at=now or dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    if getattr(changed, "rowcount", 0) == 1:
        session.execute(
            update(EldercareVisitSlot)
            .where(
                EldercareVisitSlot.facility_id == visit.facility_id,
                EldercareVisitSlot.visit_date == visit.visit_date,
                EldercareVisitSlot.half_day == visit.half_day,
                EldercareVisitSlot.booked > 0,
            )
            .values(booked=EldercareVisitSlot.booked - 1)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    session.refresh(visit)
    return visit


def masked_phone(visit: EldercareVisit) -> str:
    """The visit's phone with the middle digits hidden."""
    return mask_phone(visit.phone)
