"""Marriage bookings in the back office: references, people, one booking a day, full half-days."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.records.marriage import availability, bookings
from backoffice.records.marriage.models import MarriageOffice, MarriageSlot
from backoffice.records.marriage.policy import MarriagePolicy
from backoffice.records.marriage.schemas import PersonIn
from core.errors import ApiError
from tests.backoffice.marriage_support import TODAY, book, bookable, couple, make_id, set_capacity
from tests.backoffice.marriage_support import policy as policy
from tests.backoffice.marriage_support import seeded as seeded


def test_a_booking_has_a_readable_reference_and_a_history(
    seeded: Session, policy: MarriagePolicy
) -> None:
    day = bookable(1)
    first = book(seeded, policy, day=day)
    second = book(seeded, policy, day=day, half_day="pm")
    assert re.fullmatch(rf"HY-{day:%Y%m%d}-0001", first.reference)
    assert second.reference == f"HY-{day:%Y%m%d}-0002"
    assert first.status == "booked"
    assert [e.status for e in first.events] == ["booked"]
    slot = seeded.scalar(select(MarriageSlot).where(MarriageSlot.day == day))
    assert slot is not None and slot.booked == 1


def test_people_are_checked(seeded: Session, policy: MarriagePolicy) -> None:
    checks: dict[str, dict[str, object]] = {
        "invalid_id_number": couple(party1=PersonIn(name="张伟", id_number="330106199001011235")),
        "same_person": {
            "party1": PersonIn(name="张伟", id_number=(same := make_id(male=True))),
            "party2": PersonIn(name="张伟", id_number=same),
        },
        "underage": couple(party1=PersonIn(name="张伟", id_number=make_id(male=True, age=21))),
        "needs_city_office": couple(
            party2=PersonIn(name="Anna Smith", id_kind="passport", id_number="E12345678")
        ),
        "invalid_name": couple(party1=PersonIn(name="张3", id_number=make_id(male=True))),
    }
    for code, people in checks.items():
        with pytest.raises(ApiError) as refused:
            book(seeded, policy, **people)
        assert refused.value.code == code
    with pytest.raises(ApiError) as refused:
        book(seeded, policy, phone="12345")
    assert refused.value.code == "invalid_phone"


def test_age_counts_only_for_marriage_and_passports_go_to_the_city_office(
    seeded: Session, policy: MarriagePolicy
) -> None:
    young = couple(party2=PersonIn(name="李娜", id_number=make_id(male=False, age=19)))
    assert book(seeded, policy, booking_type="reissue", **young).status == "booked"
    foreign = couple(party2=PersonIn(name="Anna Smith", id_kind="passport", id_number="E1234567"))
    booking = book(seeded, policy, office_code="city", **foreign)
    assert booking.party2_id_kind == "passport"


def test_one_person_cannot_hold_two_active_bookings_on_the_same_day(
    seeded: Session, policy: MarriagePolicy
) -> None:
    day = bookable(2)
    groom = PersonIn(name="张伟", id_number=make_id(male=True))
    first = book(seeded, policy, day=day, party1=groom)
    other_bride = PersonIn(name="王芳", id_number=make_id(male=False))
    with pytest.raises(ApiError) as refused:
        book(seeded, policy, day=day, office_code="binjiang", party1=groom, party2=other_bride)
    assert refused.value.code == "person_busy"
    # the refused booking gave its place back
    binjiang = seeded.scalar(
        select(MarriageSlot).join(MarriageOffice).where(MarriageOffice.code == "binjiang")
    )
    assert binjiang is None or binjiang.booked == 0
    # another day is fine, and after cancelling the same day is free again
    book(seeded, policy, day=bookable(3), party1=groom)
    bookings.cancel_booking(
        session=seeded, reference=first.reference, phone="13812345678", id_last4=None, today=TODAY
    )
    assert book(seeded, policy, day=day, party1=groom, party2=other_bride).status == "booked"


def test_a_full_half_day_offers_the_nearest_free_half_days_and_other_offices(
    seeded: Session, policy: MarriagePolicy
) -> None:
    set_capacity(seeded, "xihu", 1)
    day = bookable(2)
    book(seeded, policy, day=day, half_day="am")
    with pytest.raises(ApiError) as refused:
        book(seeded, policy, day=day, half_day="am")
    assert refused.value.code == "slot_full"
    found = availability.availability(
        session=seeded, policy=policy, office_code="xihu", day=day, half_day="am", today=TODAY
    )
    assert found.requested is not None and found.requested.remaining == 0
    assert (found.same_office[0].day, found.same_office[0].half_day) == (day, "pm")
    assert len(found.same_office) == policy.alternatives.same_office
    assert all(p.remaining > 0 for p in found.same_office)
    assert found.other_offices and all(p.office.code != "xihu" for p in found.other_offices)
    assert all(p.day == day for p in found.other_offices)
    city_only = availability.availability(
        session=seeded,
        policy=policy,
        office_code="xihu",
        day=day,
        half_day="am",
        today=TODAY,
        needs_city_office=True,
    )
    assert city_only.other_offices == []


def test_other_offices_are_offered_nearest_first(seeded: Session, policy: MarriagePolicy) -> None:
    day = bookable(2)
    set_capacity(seeded, "chunan", 0)
    set_capacity(seeded, "xihu", 0)
    far_west = availability.availability(
        session=seeded, policy=policy, office_code="chunan", day=day, half_day="am", today=TODAY
    )
    offered = [p.office.code for p in far_west.other_offices]
    assert offered and offered[0] in {"jiande", "tonglu"}, offered
    central = availability.availability(
        session=seeded, policy=policy, office_code="xihu", day=day, half_day="am", today=TODAY
    )
    assert central.other_offices[0].office.code in {"shangcheng", "gongshu", "binjiang"}
