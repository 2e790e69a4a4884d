"""Pre-screen records → the API's schemas (used by the routes)."""

from __future__ import annotations

from backoffice.records.prescreen.facts import ProgrammeResult
from backoffice.records.prescreen.models import AssistanceApplication, PrescreenCheck
from backoffice.records.prescreen.schemas import (
    ApplicationInfoOut,
    ApplicationStatusOut,
    PrescreenCheckOut,
    PrescreenOut,
)
from backoffice.records.prescreen.service import PrescreenRun


def prescreen_out(run: PrescreenRun) -> PrescreenOut:
    """The API shape of a pre-screen just run: results, where to apply, what income is left out."""
    in_force = run.policy
    application = in_force.application
    return PrescreenOut(
        reference=run.check.reference,
        as_of=in_force.as_of,
        policy_version=in_force.version_label,
        programmes=run.programmes,
        application=ApplicationInfoOut(
            where=application.where,
            where_permit=application.where_permit,
            online=application.online,
            documents=application.documents,
            sample=application.sample,
        )
        if application
        else None,
        income_excluded=in_force.income.excluded if in_force.income else [],
    )


def check_out(check: PrescreenCheck) -> PrescreenCheckOut:
    """The API shape of a logged pre-screen."""
    return PrescreenCheckOut(
        reference=check.reference,
        as_of=check.as_of,
        policy_version=check.policy_version,
        inputs=check.inputs,
        result=[ProgrammeResult.model_validate(item) for item in check.result],
    )


def application_status_out(application: AssistanceApplication) -> ApplicationStatusOut:
    """The API shape of an application's stage."""
    return ApplicationStatusOut.model_validate(application)
