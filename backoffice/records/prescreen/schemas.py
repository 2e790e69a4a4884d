"""API shapes of the pre-screen and the application status lookup."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from backoffice.records.prescreen.facts import HouseholdFacts, ProgrammeResult


class PrescreenIn(BaseModel):
    """A pre-screen request.

    Attributes:
        facts: The household as described.
        as_of: Date whose policy applies (default: today).
        conversation_id: The chat's sender id; logged only as a hash.
    """

    model_config = ConfigDict(extra="forbid")

    facts: HouseholdFacts
    as_of: date | None = None
    conversation_id: str | None = Field(default=None, max_length=128)


class ApplicationInfoOut(BaseModel):
    """How and where to apply."""

    where: str
    where_permit: str
    online: str
    documents: list[str]
    sample: bool


class PrescreenOut(BaseModel):
    """The logged pre-screen: one result per programme."""

    reference: str
    as_of: date
    policy_version: str
    programmes: list[ProgrammeResult]
    application: ApplicationInfoOut | None
    income_excluded: list[str]


class PrescreenCheckOut(BaseModel):
    """A logged pre-screen as staff see it."""

    model_config = ConfigDict(from_attributes=True)

    reference: str
    as_of: date
    policy_version: str
    inputs: dict[str, object]
    result: list[ProgrammeResult]


class StatusLookupIn(BaseModel):
    """Both identifiers are required: a record is shown only when they match together."""

    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=1, max_length=40)


class ApplicationStatusOut(BaseModel):
    """Where an application stands."""

    model_config = ConfigDict(from_attributes=True)

    reference: str
    programme: str
    district_code: str
    applicant_masked: str
    stage: str
    submitted_on: date
    stage_updated_on: date
    sample: bool
