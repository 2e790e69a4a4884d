"""District records → the API's schemas (used by the routes)."""

from __future__ import annotations

from backoffice.records.districts.models import District
from backoffice.records.districts.schemas import DistrictOut


def district_out(district: District) -> DistrictOut:
    """A district as the API returns it."""
    return DistrictOut.model_validate(district)
