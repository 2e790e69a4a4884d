"""The eldercare back office as the actions reach it: one seam, so tests swap one function."""

from __future__ import annotations

from actions.clients.eldercare import EldercareApi, get_eldercare_api


def api() -> EldercareApi:
    """The back-office API of this process (called through the module, so tests can swap it)."""
    return get_eldercare_api()
