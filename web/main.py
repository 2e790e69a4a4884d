"""The web app (composition root): chat gateway, web chat page and back office in one FastAPI app.

Run with `uvicorn web.main:app`.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from backoffice.api import build_backoffice_router
from backoffice.console import analytics_pages, review_pages
from backoffice.console.routes import install_console
from backoffice.secrets import backoffice_secrets
from connectors.assembly import build_gateway
from connectors.telegram.webhook import router as telegram_router
from connectors.telegram.webhook import telegram_lifespan
from connectors.webchat.page import render_index, render_privacy
from connectors.webchat.routes import router as webchat_router
from connectors.wechat.routes import router as wechat_router
from connectors.wechat.routes import wechat_lifespan
from core.errors import install_error_handling
from core.log_privacy import install_log_privacy
from core.secrets_check import check_secrets
from core.settings import Settings, get_settings
from knowledge.store import get_store
from web.security import install_security

WEBCHAT_DIR = Path(__file__).resolve().parent.parent / "connectors" / "webchat"
FAVICON = WEBCHAT_DIR / "static" / "favicon.ico"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web app for `settings` (the process settings by default)."""
    settings = settings or get_settings()
    install_log_privacy()
    check_secrets(settings, role="web", features=backoffice_secrets())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gateway = build_gateway(settings)
        app.state.rasa_client = gateway.rasa
        # Loading the knowledge base (spaCy, jieba, index) takes seconds: not on a request.
        threading.Thread(
            target=lambda: get_store().knowledge_base, name="knowledge-warm-up", daemon=True
        ).start()
        app.state.handoff_desk = gateway.desk
        app.state.staff_sessions = gateway.desk.session_factory
        app.state.conversation_router = gateway.router
        async with (
            telegram_lifespan(
                app, settings=settings, conversation_router=gateway.router, desk=gateway.desk
            ),
            wechat_lifespan(
                app, settings=settings, conversation_router=gateway.router, desk=gateway.desk
            ),
        ):
            yield
        await gateway.aclose()
        await limiter.aclose()

    app = FastAPI(title="民政智能助手", version="0.1.0", lifespan=lifespan)
    install_error_handling(app)
    limiter = install_security(app, settings)
    # The citizens' chat first: every message is matched against the routes in order, and the
    # back office has many (its own callers, the action server, pay the few chat routes).
    app.include_router(webchat_router)
    app.include_router(build_backoffice_router())
    app.include_router(telegram_router)
    if settings.wechat_token:
        app.include_router(wechat_router)
    install_console(app)
    app.include_router(analytics_pages.router)
    app.include_router(review_pages.router)
    app.mount("/static/webchat", StaticFiles(directory=WEBCHAT_DIR / "static"), name="webchat")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(render_index(WEBCHAT_DIR / "strings.yml"))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        # One fixed file of ours (no path from the request); browsers ask for it on every site.
        return FileResponse(
            FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get("/privacy", response_class=HTMLResponse, include_in_schema=False)
    def privacy() -> HTMLResponse:
        return HTMLResponse(render_privacy())

    return app


app = create_app()
