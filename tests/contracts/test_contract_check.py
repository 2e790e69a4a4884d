"""The contract check itself sees a missing field, a wrong type, a null and an unknown field."""

from __future__ import annotations

from pydantic import BaseModel

from tests.contracts.contract import reads, sends


class Written(BaseModel):
    count: int
    note: str | None
    days: list[int]


class Reader(BaseModel):
    count: str
    note: str
    days: list[str]
    extra: int


class Accepted(BaseModel):
    code: int
    name: str


class Sent(BaseModel):
    code: str
    colour: int = 0


def test_reads_names_every_field_the_client_cannot_read() -> None:
    assert reads(Reader, Written) == [
        "Reader.count: written as number, read as ['string']",
        "Reader.days[]: written as number, read as ['string']",
        "Reader.extra: read, never written",
        "Reader.extra: required, never written",
        "Reader.note: written as null, read as ['string']",
    ]


def test_sends_names_every_field_the_back_office_cannot_take() -> None:
    assert sends(Sent, Accepted) == [
        "Sent.code: written as string, read as ['number']",
        "Sent.colour: sent, unknown to the back office",
        "Sent.name: required, never written",
    ]
