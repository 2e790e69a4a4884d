"""All back-office routes, assembled for the web app."""

from __future__ import annotations

from fastapi import APIRouter

from backoffice import health
from backoffice.features import routers


def build_backoffice_router() -> APIRouter:
    """One router holding the health check and every feature's records API."""
    router = APIRouter()
    router.include_router(health.router)
    for feature_router in routers():
        router.include_router(feature_router)
    return router
