"""The parties of a booking: names, ID card and passport checks, legal age, the city office.

A foreign party (passport, or a Hong Kong, Macao, Taiwan or foreigner's permanent residence
card) can only be served by the municipal office.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from backoffice.records.marriage.policy import MarriagePolicy
from backoffice.records.marriage.refusals import refusal
from backoffice.records.marriage.schemas import PersonIn
from zhtext.idcard import age_on, normalise_id_number, validate_id_number, validate_passport_number


@dataclass(frozen=True)
class CheckedPerson:
    """A party whose name and identity document passed the checks."""

    name: str
    id_kind: str
    id_number: str
    birth_date: dt.date | None
    sex: str | None
    needs_city_office: bool


def checked_person(person: PersonIn, *, today: dt.date) -> CheckedPerson:
    """The party with a cleaned name and a validated ID card or passport number.

    Raises:
        ApiError: `invalid_name`, `invalid_passport_number`, `invalid_id_number` (422).
    """
    name = " ".join(person.name.split())
    if not name or any(ch.isdigit() for ch in name):
        raise refusal("invalid_name", 422)
    if person.id_kind == "passport":
        passport = validate_passport_number(person.id_number)
        if not passport.valid:
            raise refusal("invalid_passport_number", 422)
        return CheckedPerson(name, "passport", passport.number, None, None, True)
    check = validate_id_number(person.id_number, today=today)
    if not check.valid:
        raise refusal("invalid_id_number", 422, reason=check.reason or "")
    return CheckedPerson(
        name,
        "id_card",
        check.number,
        check.birth_date,
        check.sex,
        check.holder != "resident",
    )


def needs_city_office(id_number: str) -> bool:
    """True for a valid ID number whose holder is not a mainland resident."""
    check = validate_id_number(id_number)
    return check.valid and check.holder != "resident"


def require_age(person: CheckedPerson, *, policy: MarriagePolicy, on: dt.date) -> None:
    """Refuse a party under the legal marriage age on `on` (unknown birth dates pass).

    Raises:
        ApiError: `underage` (422).
    """
    if person.birth_date is None or person.sex is None:
        return
    minimum = policy.minimum_age.male if person.sex == "male" else policy.minimum_age.female
    if age_on(person.birth_date, on) < minimum:
        raise refusal(
            "underage",
            422,
            minimum=minimum,
            male_age=policy.minimum_age.male,
            female_age=policy.minimum_age.female,
        )


def person_key(id_number: str) -> str:
    """The key under which a person's day claims are stored (no readable ID number)."""
    return hashlib.sha256(normalise_id_number(id_number).encode()).hexdigest()
