"""Typed back-office API: assistance pre-screen and application status."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from actions.clients.backoffice import BackofficeRejectedError, BackofficeTransport, get_transport


class Reason(BaseModel):
    """One rule applied, with the figures compared."""

    code: str
    rule: str
    effect: str
    figures: dict[str, str] = {}
    policy_entry: str | None = None
    effective_from: str | None = None
    sample: bool = False
    verify: bool = False


class ProgrammeResult(BaseModel):
    """The outcome for one programme (dibao, dibian, tekun, temporary)."""

    programme: str
    outcome: str
    reasons: list[Reason]


class ApplicationInfo(BaseModel):
    """How and where to apply."""

    where: str
    where_permit: str
    online: str
    documents: list[str]
    sample: bool


class PrescreenResult(BaseModel):
    """A logged pre-screen."""

    reference: str
    as_of: date
    policy_version: str
    programmes: list[ProgrammeResult]
    application: ApplicationInfo | None
    income_excluded: list[str]


class ApplicationStatus(BaseModel):
    """Where an application stands."""

    reference: str
    programme: str
    district_code: str
    applicant_masked: str
    stage: str
    submitted_on: date
    stage_updated_on: date
    sample: bool


class PrescreenApi:
    """Pre-screens and application lookups in the back office."""

    def __init__(self, transport: BackofficeTransport) -> None:
        self._transport = transport

    async def prescreen(
        self, *, facts: dict[str, Any], conversation_id: str, as_of: date | None = None
    ) -> PrescreenResult:
        """Pre-screen a household (the back office logs it)."""
        body: dict[str, Any] = {"facts": facts, "conversation_id": conversation_id}
        if as_of is not None:
            body["as_of"] = as_of.isoformat()
        response = await self._transport.request("POST", "/api/prescreen", json=body)
        return PrescreenResult.model_validate_json(response.content)

    async def find_application(self, *, id_number: str, phone: str) -> ApplicationStatus | None:
        """The application matching both identifiers, or None."""
        try:
            response = await self._transport.request(
                "POST",
                "/api/prescreen/applications/lookup",
                json={"id_number": id_number, "phone": phone},
            )
        except BackofficeRejectedError as error:
            if error.status_code == 404:
                return None
            raise
        return ApplicationStatus.model_validate_json(response.content)


@lru_cache(maxsize=1)
def get_prescreen_api() -> PrescreenApi:
    """The shared pre-screen API of this process."""
    return PrescreenApi(get_transport())
