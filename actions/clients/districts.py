"""Typed back-office API: districts."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, TypeAdapter

from actions.clients.backoffice import BackofficeTransport, get_transport


class District(BaseModel):
    """A district or county of the city."""

    code: str
    name: str
    short_name: str
    kind: str
    assistance_tier: str


_DISTRICTS = TypeAdapter(list[District])


class DistrictsApi:
    """Districts and counties known to the back office."""

    def __init__(self, transport: BackofficeTransport) -> None:
        self._transport = transport

    async def list_districts(self) -> list[District]:
        """The city's districts and counties."""
        return _DISTRICTS.validate_json(await self._transport.get_reference("/api/districts"))


@lru_cache(maxsize=1)
def get_districts_api() -> DistrictsApi:
    """The shared districts API of this process."""
    return DistrictsApi(get_transport())
