"""转人工: the action server's client models against the back office's schemas."""

from __future__ import annotations

from actions.clients import handoff as client
from backoffice.records.handoff import schemas
from tests.contracts.contract import reads, sends


def test_the_client_reads_what_the_back_office_answers() -> None:
    assert reads(client.TicketOutcome, schemas.TicketOutcome) == []
    assert reads(client.CallbackReceipt, schemas.CallbackReceipt) == []


def test_the_back_office_takes_what_the_client_sends() -> None:
    assert sends(client.TicketRequest, schemas.TicketRequest) == []
    assert sends(client.CallbackRequest, schemas.CallbackIn) == []
