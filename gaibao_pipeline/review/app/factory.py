"""The review app: FastAPI routes over the pipeline's database, Jinja templates, static files.

`create_app(settings)` builds it; `gaibao serve` runs it under uvicorn. Security headers go
on every response: a Content-Security-Policy that allows scripts and styles from this app
only (plotly.js is served from the plotly package, no CDN), and no framing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import plotly
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from gaibao_pipeline.db import make_engine, upgrade_schema
from gaibao_pipeline.review.app import api, web
from gaibao_pipeline.review.app.settings import ReviewSettings
from gaibao_pipeline.review.app.state import HERE, AppState, build_templates, render

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(settings: ReviewSettings) -> FastAPI:
    """The app over `settings.database_url` (migrated to the current schema on start)."""
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            engine.dispose()

    upgrade_schema(engine)  # the reviews tables exist before the first decision
    # no /docs: its pages load their scripts from a CDN; the schema stays at /openapi.json
    app = FastAPI(title="gaibao review", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.review = AppState(settings, engine, build_templates())
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path.endswith(".png"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return render(request, "error.html", {"message": str(exc.detail)}, exc.status_code)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(
            PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"}
        )

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(web.router)
    return app
