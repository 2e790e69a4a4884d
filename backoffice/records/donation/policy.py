"""Donation rules kept by editors in `knowledge/policies/donation.yml` (amount bounds, payment).

Read once per process; the web process reads it on first use, not at import.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.settings import get_settings


class AmountRules(BaseModel):
    """Bounds of one online pledge, in yuan."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    minimum_yuan: Decimal = Field(gt=0)
    staff_confirmation_above_yuan: Decimal = Field(gt=0)
    effective_from: dt.date
    note: str = ""

    @model_validator(mode="after")
    def _bounds_in_order(self) -> AmountRules:
        if self.staff_confirmation_above_yuan < self.minimum_yuan:
            raise ValueError("staff_confirmation_above_yuan must not be below minimum_yuan")
        return self


class PaymentRules(BaseModel):
    """How citizens pay a pledge (official channels) and what is never asked of them."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    effective_from: dt.date
    channels: str = Field(min_length=1)
    never_ask: str = Field(min_length=1)


class DonationPolicy(BaseModel):
    """The whole policy file."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    updated: dt.date
    sample: bool
    amount: AmountRules
    payment: PaymentRules


def policy_file() -> Path:
    """Where the donation policy lives (under the configured knowledge directory)."""
    return get_settings().knowledge_dir / "policies" / "donation.yml"


def load_policy(path: Path) -> DonationPolicy:
    """Read and check a donation policy file.

    Raises:
        pydantic.ValidationError: When a field is missing or out of range.
    """
    with path.open(encoding="utf-8") as handle:
        return DonationPolicy.model_validate(yaml.safe_load(handle))


@lru_cache(maxsize=1)
def get_policy() -> DonationPolicy:
    """The donation policy of this process (read on first use)."""
    return load_policy(policy_file())
