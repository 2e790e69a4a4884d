"""API shapes of districts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DistrictOut(BaseModel):
    """A district as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    short_name: str
    kind: str
    assistance_tier: str
