"""找养老: the action server's client models against the back office's schemas."""

from __future__ import annotations

from actions.clients import eldercare as client
from backoffice.records.eldercare import schemas
from tests.contracts.contract import reads, sends


def test_the_client_reads_what_the_back_office_answers() -> None:
    assert reads(client.Facility, schemas.FacilityOut) == []
    assert reads(client.SearchResult, schemas.SearchResult) == []
    assert reads(client.Availability, schemas.Availability) == []
    assert reads(client.Visit, schemas.VisitOut) == []


def test_the_back_office_takes_what_the_client_sends() -> None:
    assert sends(client.SearchQuery, schemas.SearchQuery) == []
