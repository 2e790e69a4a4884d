"""婚姻登记预约: the action server's client models against the back office's schemas."""

from __future__ import annotations

from actions.clients import marriage as client
from backoffice.records.marriage import schemas
from backoffice.records.marriage.policy import MarriagePolicy
from tests.contracts.contract import reads, sends


def test_the_client_reads_what_the_back_office_answers() -> None:
    assert reads(client.Office, schemas.OfficeOut) == []
    assert reads(client.DayCheck, schemas.DayCheckOut) == []
    assert reads(client.Availability, schemas.AvailabilityOut) == []
    assert reads(client.Policy, MarriagePolicy) == []
    assert reads(client.Booking, schemas.BookingOut) == []


def test_the_back_office_takes_what_the_client_sends() -> None:
    assert sends(client.NewBooking, schemas.BookingCreate) == []
