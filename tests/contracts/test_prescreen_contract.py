"""救助资格预审 and the districts: the client models against the back office's schemas."""

from __future__ import annotations

from actions.clients import districts, prescreen
from backoffice.records.districts.schemas import DistrictOut
from backoffice.records.prescreen import schemas
from tests.contracts.contract import reads


def test_the_client_reads_what_the_back_office_answers() -> None:
    assert reads(prescreen.PrescreenResult, schemas.PrescreenOut) == []
    assert reads(prescreen.ApplicationStatus, schemas.ApplicationStatusOut) == []
    assert reads(districts.District, DistrictOut) == []
