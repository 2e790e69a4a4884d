"""Charity projects: list, find, and seed them from the editors' catalogue."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from backoffice.records.donation.catalogue import Catalogue
from backoffice.records.donation.models import CharityProject
from backoffice.records.donation.money import to_fen
from backoffice.records.donation.texts import refusal


def list_projects(
    *,
    session: Session,
    theme: str | None = None,
    recommended: bool = False,
    include_inactive: bool = False,
) -> list[CharityProject]:
    """Projects open for donation (optionally by theme, or only recommended ones).

    The general fund is listed only when no theme is asked for (or theme ``general``).
    """
    query: Select[tuple[CharityProject]] = select(CharityProject)
    if not include_inactive:
        query = query.where(CharityProject.status == "active")
    if theme:
        query = query.where(CharityProject.theme == theme)
    if recommended:
        query = query.where(CharityProject.recommended.is_(True))
    query = query.order_by(CharityProject.sort_order, CharityProject.id)
    return list(session.scalars(query))


def get_project(*, session: Session, code: str) -> CharityProject:
    """One project by code.

    Raises:
        ApiError: 404 when there is none.
    """
    project = session.scalar(select(CharityProject).where(CharityProject.code == code))
    if project is None:
        raise refusal(404, "project_not_found")
    return project


def upsert_projects(*, session: Session, catalogue: Catalogue) -> int:
    """Insert or update the projects by code; never touches the amounts raised online."""
    existing = {p.code: p for p in session.scalars(select(CharityProject))}
    for order, row in enumerate(catalogue.projects):
        project = existing.get(row.code) or CharityProject(code=row.code, raised_online_fen=0)
        project.name = row.name
        project.theme = row.theme
        project.general_fund = row.general_fund
        project.organiser = row.organiser
        project.description = row.description
        project.target_fen = to_fen(row.target_yuan) if row.target_yuan is not None else None
        project.raised_offline_fen = to_fen(row.raised_offline_yuan)
        project.status = row.status
        project.fundraising_record_no = row.fundraising_record_no
        project.recommended = row.recommended
        project.sort_order = order
        project.sample = catalogue.sample
        session.add(project)
    session.commit()
    return len(catalogue.projects)
