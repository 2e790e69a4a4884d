"""Shared pieces of the donation record tests: the seeded catalogue, a pledge, a refusal.

The test modules import the `seeded` fixture as `seeded as seeded`: pytest finds it in the
module, and the alias tells ruff it is meant to be there.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from backoffice.records.donation.schemas import PledgeIn
from backoffice.records.donation.seed import seed
from core.errors import ApiError

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


PHONE = "13812345678"


@pytest.fixture
def seeded(session: Session) -> Session:
    seed(session)
    return session


def pledge(**overrides: object) -> PledgeIn:
    values: dict[str, object] = {
        "project_code": "edu-lunch-2026",
        "amount": Decimal(200),
        "anonymous": False,
        "donor_name": "张三",
        "contact_phone": PHONE,
    }
    values.update(overrides)
    return PledgeIn.model_validate(values)


def refusal(call) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value
