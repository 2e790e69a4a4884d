"""What the rule engine is told about a household, and what it answers (pure data, no I/O)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backoffice.records.prescreen.policy import Circumstance

AnswerStatus = Literal["given", "unknown", "refused"]
Residence = Literal["hukou", "permit", "none"]
Outcome = Literal["likely", "unlikely", "review"]
Programme = Literal["dibao", "dibian", "tekun", "temporary"]
PROGRAMMES: tuple[Programme, ...] = ("dibao", "dibian", "tekun", "temporary")


class HouseholdFacts(BaseModel):
    """A household as the citizen described it.

    A value of None means "not known": its status then says whether the citizen did not know
    (`unknown`) or did not want to say (`refused`).

    Attributes:
        residence: `hukou` (Hangzhou household registration), `permit` (residence permit) or
            `none` (neither).
        district: District code from zhtext/data/districts.yml (registration, or residence
            for permit holders).
        household_size: People who live together and count as the household.
        monthly_income: Total household income per month in yuan (before exclusions the
            citizen already left out).
        income_approximate: True when the citizen gave an estimate ("四千多", "左右").
        savings: Total savings and other financial assets of the household in yuan.
        has_vehicle: Owns a car (disability vehicles and motorcycles excepted).
        has_extra_housing: Owns housing beyond the home it lives in.
        circumstances: Special circumstances the citizen named.
    """

    model_config = ConfigDict(extra="forbid")

    residence: Residence = "hukou"
    district: str | None = Field(default=None, max_length=32)
    household_size: int | None = Field(default=None, ge=1, le=50)
    household_size_status: AnswerStatus = "given"
    monthly_income: Decimal | None = Field(default=None, ge=0, le=10_000_000)
    income_status: AnswerStatus = "given"
    income_approximate: bool = False
    savings: Decimal | None = Field(default=None, ge=0, le=1_000_000_000)
    savings_status: AnswerStatus = "given"
    has_vehicle: bool | None = None
    has_extra_housing: bool | None = None
    assets_status: AnswerStatus = "given"
    circumstances: list[Circumstance] = Field(default_factory=list, max_length=5)
    circumstances_status: AnswerStatus = "given"

    @model_validator(mode="after")
    def _missing_means_unknown(self) -> HouseholdFacts:
        # A missing value reported as "given" is a caller slip: treat it as not known.
        if self.household_size is None and self.household_size_status == "given":
            self.household_size_status = "unknown"
        if self.monthly_income is None and self.income_status == "given":
            self.income_status = "unknown"
        if self.savings is None and self.savings_status == "given":
            self.savings_status = "unknown"
        if (self.has_vehicle is None or self.has_extra_housing is None) and (
            self.assets_status == "given"
        ):
            self.assets_status = "unknown"
        return self


class Reason(BaseModel):
    """One rule applied: its code, its effect, the figures compared and the policy entry used.

    Attributes:
        code: What the wording is chosen by (e.g. `income_below`).
        rule: The rule that was applied (e.g. `dibao.income`).
        effect: What this reason alone says about the programme.
        figures: The values compared; amounts in yuan are strings in keys ending `_yuan`.
        policy_entry: Id of the policy entry the figures come from, if any.
        effective_from: Start date of that entry (ISO), if any.
        sample: The entry holds sample values.
        verify: The entry's source is weak and must be checked.
    """

    code: str
    rule: str
    effect: Outcome
    figures: dict[str, str] = Field(default_factory=dict)
    policy_entry: str | None = None
    effective_from: str | None = None
    sample: bool = False
    verify: bool = False


class ProgrammeResult(BaseModel):
    """The pre-screen of one programme."""

    programme: Programme
    outcome: Outcome
    reasons: list[Reason]


def combine(reasons: list[Reason]) -> Outcome:
    """One failed test makes a programme unlikely; otherwise any open question means review."""
    effects = {reason.effect for reason in reasons}
    if "unlikely" in effects:
        return "unlikely"
    if "review" in effects or not reasons:
        return "review"
    return "likely"


def money(value: Decimal) -> str:
    """An amount as a plain decimal string: integral amounts without decimals."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(value.quantize(Decimal("0.01")))


def masked_inputs(facts: HouseholdFacts) -> dict[str, Any]:
    """The facts as logged: structured values only, no free text and no identifiers."""
    return facts.model_dump(mode="json")
