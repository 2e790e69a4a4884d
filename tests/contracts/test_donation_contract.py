"""慈善捐赠: the action server's client models against the back office's schemas."""

from __future__ import annotations

from actions.clients import donation as client
from backoffice.records.donation import schemas
from tests.contracts.contract import reads, sends


def test_the_client_reads_what_the_back_office_answers() -> None:
    assert reads(client.Theme, schemas.ThemeOut) == []
    assert reads(client.Project, schemas.ProjectOut) == []
    assert reads(client.DonationPolicy, schemas.AmountPolicyOut) == []
    assert reads(client.PledgeCreated, schemas.PledgeCreatedOut) == []
    assert reads(client.Pledge, schemas.PledgeOut) == []
    assert reads(client.GoodsInfo, schemas.GoodsInfoOut) == []


def test_the_back_office_takes_what_the_client_sends() -> None:
    assert sends(client.PledgeRequest, schemas.PledgeIn) == []
