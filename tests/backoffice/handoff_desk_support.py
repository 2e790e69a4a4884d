"""Shared pieces of the desk tests: a scripted Rasa, a clock, the desk, staff, a citizen asking.

The test modules import the fixtures as `desk as desk` (and so on): pytest finds them in the
module, and the alias tells ruff they are meant to be there.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from backoffice.records.handoff.desk import HandoffDesk
from backoffice.records.handoff.schemas import TicketRequest
from tests.backoffice.handoff_support import Clock, FakeRasa, add_staff, make_desk

SENDER = "citizen-0001"

CID = f"web-{SENDER}"


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(database_url: str, rasa: FakeRasa, clock: Clock) -> HandoffDesk:
    return make_desk(database_url, rasa, clock)


@pytest.fixture
def staff(session: Session):
    return add_staff(session)


async def ask_for_person(desk: HandoffDesk, cid: str = CID, **extra) -> None:
    outcome = await desk.request_handoff(
        TicketRequest(
            conversation_id=cid,
            reason="citizen_request",
            transcript=[{"kind": "citizen", "text": "转人工"}],
            **extra,
        )
    )
    assert outcome.outcome == "queued", outcome
