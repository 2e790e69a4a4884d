"""Seeds the charity projects and goods drop-off points from `seed_data.yml` (sample data)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backoffice.records.donation.catalogue import get_catalogue
from backoffice.records.donation.goods import upsert_dropoff_points
from backoffice.records.donation.projects import upsert_projects


def seed(session: Session) -> str:
    """Insert or update projects and drop-off points; amounts raised online are kept."""
    catalogue = get_catalogue()
    projects = upsert_projects(session=session, catalogue=catalogue)
    points = upsert_dropoff_points(session=session, catalogue=catalogue)
    return f"donation: {projects} projects, {points} drop-off points (sample data)"
