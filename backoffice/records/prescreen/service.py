"""Running and logging pre-screens; looking up applications."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.records.prescreen.engine import screen
from backoffice.records.prescreen.facts import HouseholdFacts, ProgrammeResult, masked_inputs
from backoffice.records.prescreen.models import AssistanceApplication, PrescreenCheck
from backoffice.records.prescreen.policy import PolicyDocument, PolicyInForce, policy_in_force
from zhtext.idcard import mask_id_number, mask_phone, normalise_id_number
from zhtext.phone import parse_phone

STAGES = ("accepted", "investigating", "publicising", "approved", "rejected")
_REFERENCE_ATTEMPTS = 5
# The same answers again in one conversation within this time are the same pre-screen: a turn
# whose reply was lost (a process restarted after the check was stored) and is sent again.
REPEAT_WINDOW = timedelta(minutes=30)


class UnknownDistrictError(ValueError):
    """The district code is not one of the city's districts."""


@dataclass(frozen=True)
class PrescreenRun:
    """A logged pre-screen: the stored check, the policy it was run against and the results."""

    check: PrescreenCheck
    policy: PolicyInForce
    programmes: list[ProgrammeResult]


def digest(value: str) -> str:
    """SHA-256 hex digest of an identifier (stored instead of the identifier)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def id_number_key(text: str) -> str:
    """The digest under which an identity number is stored."""
    return digest(normalise_id_number(text))


def phone_key(text: str) -> str | None:
    """The digest under which a phone number is stored, or None when it is not a phone."""
    parsed = parse_phone(text)
    return digest(parsed.number) if parsed.number else None


def _new_reference(on: date) -> str:
    return f"YS-{on:%Y%m%d}-{secrets.token_hex(3).upper()}"


def run_prescreen(
    *,
    session: Session,
    policy: PolicyDocument,
    facts: HouseholdFacts,
    as_of: date,
    conversation_id: str | None,
    now: datetime | None = None,
) -> PrescreenRun:
    """Pre-screen `facts` against the policy in force on `as_of`, log it, and return it.

    Raises:
        UnknownDistrictError: When `facts.district` is not a known district code.
    """
    from zhtext.places import default_table

    if facts.district is not None:
        try:
            default_table().get(facts.district)
        except KeyError as error:
            raise UnknownDistrictError(facts.district) from error
    in_force = policy_in_force(policy, as_of)
    programmes = screen(facts, in_force)
    created = now or datetime.now(UTC)
    conversation_hash = digest(conversation_id) if conversation_id else None
    inputs = masked_inputs(facts)
    earlier = _same_check(
        session=session,
        conversation_hash=conversation_hash,
        as_of=as_of,
        policy_version=in_force.version_label,
        inputs=inputs,
        since=created - REPEAT_WINDOW,
    )
    if earlier is not None:
        return PrescreenRun(check=earlier, policy=in_force, programmes=programmes)
    for _ in range(_REFERENCE_ATTEMPTS):
        check = PrescreenCheck(
            reference=_new_reference(created.date()),
            created_at=created,
            as_of=as_of,
            conversation_hash=conversation_hash,
            policy_version=in_force.version_label,
            inputs=inputs,
            result=[programme.model_dump(mode="json") for programme in programmes],
        )
        session.add(check)
        try:
            session.commit()
            break
        except IntegrityError:
            session.rollback()
    else:  # pragma: no cover - six random hex digits colliding five times in a row
        raise RuntimeError("could not allocate a pre-screen reference")
    return PrescreenRun(check=check, policy=in_force, programmes=programmes)


def _same_check(
    *,
    session: Session,
    conversation_hash: str | None,
    as_of: date,
    policy_version: str,
    inputs: dict[str, Any],
    since: datetime,
) -> PrescreenCheck | None:
    """The conversation's recent check of the same answers, date and policy, if there is one.

    Anonymous pre-screens (no conversation) are never merged.
    """
    if conversation_hash is None:
        return None
    recent = session.scalars(
        select(PrescreenCheck)
        .where(
            PrescreenCheck.conversation_hash == conversation_hash,
            PrescreenCheck.as_of == as_of,
            PrescreenCheck.policy_version == policy_version,
        )
        .order_by(PrescreenCheck.id.desc())
    ).all()
    return next((c for c in recent if c.inputs == inputs and _aware(c.created_at) >= since), None)


def _aware(moment: datetime) -> datetime:
    """`moment` in UTC (SQLite gives stored times back without their zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def get_check(*, session: Session, reference: str) -> PrescreenCheck | None:
    """A logged pre-screen by its reference."""
    return session.scalar(select(PrescreenCheck).where(PrescreenCheck.reference == reference))


def lookup_application(
    *, session: Session, id_number: str, phone: str
) -> AssistanceApplication | None:
    """The latest application whose identity number AND phone both match, else None."""
    phone_digest = phone_key(phone)
    if phone_digest is None:
        return None
    return session.scalar(
        select(AssistanceApplication)
        .where(
            AssistanceApplication.id_number_hash == id_number_key(id_number),
            AssistanceApplication.phone_hash == phone_digest,
        )
        .order_by(AssistanceApplication.submitted_on.desc(), AssistanceApplication.id.desc())
        .limit(1)
    )


def upsert_applications(*, session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update applications by reference; returns how many rows were written."""
    existing = {a.reference: a for a in session.scalars(select(AssistanceApplication))}
    count = 0
    for row in rows:
        if row["stage"] not in STAGES:
            raise ValueError(f"unknown stage {row['stage']!r} in {row['reference']}")
        phone_digest = phone_key(str(row["applicant_phone"]))
        if phone_digest is None:
            raise ValueError(f"not a phone number in {row['reference']}")
        application = existing.get(row["reference"]) or AssistanceApplication(
            reference=row["reference"]
        )
        application.programme = row["programme"]
        application.district_code = row["district"]
        application.applicant_masked = str(row["applicant_masked"])
        application.id_number_hash = id_number_key(str(row["id_number"]))
        application.id_number_masked = mask_id_number(str(row["id_number"]))
        application.phone_hash = phone_digest
        application.phone_masked = mask_phone(str(row["applicant_phone"]))
        application.stage = row["stage"]
        application.submitted_on = row["submitted_on"]
        application.stage_updated_on = row["stage_updated_on"]
        application.sample = bool(row.get("sample", True))
        session.add(application)
        count += 1
    session.commit()
    return count
