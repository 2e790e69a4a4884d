"""All back-office routes, assembled for the web app."""

from __future__ import annotations

from fastapi import APIRouter

from backoffice import health
from backoffice.analytics.router import router as analytics_router
from backoffice.features import routers
from backoffice.review.router import router as review_router


def build_backoffice_router() -> APIRouter:
    """One router: the health check, analytics, review and every feature's records API."""
    router = APIRouter()
    router.include_router(health.router)
    router.include_router(analytics_router)
    router.include_router(review_router)
    for feature_router in routers():
        router.include_router(feature_router)
    return router
