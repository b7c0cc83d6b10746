"""What every route needs: settings, engine, templates, and a page rendered with its CSRF cookie."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine

from gaibao_pipeline.db.reviews import VERDICT_MEANINGS
from gaibao_pipeline.db.schema import VERDICTS
from gaibao_pipeline.review.app.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    REVIEWER_COOKIE,
    csrf_token,
    new_csrf_cookie,
)
from gaibao_pipeline.review.app.settings import ReviewSettings

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class AppState:
    settings: ReviewSettings
    engine: Engine
    templates: Jinja2Templates


def build_templates() -> Jinja2Templates:
    # autoescape everywhere: every piece of document text is data, never markup
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return Jinja2Templates(env=environment)


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.review
    return state


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page with the CSRF token of this browser's cookie (set here when it has none)."""
    state = app_state(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = cookie is None
    cookie = cookie or new_csrf_cookie()
    settings = state.settings
    base = {
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(settings, cookie),
        "reviewer": unquote(request.cookies.get(REVIEWER_COOKIE, "")),
        "needs_token": settings.writes_need_token,
        "read_only": settings.writes_need_token and settings.token is None,
        "host": settings.host,
        "verdicts": VERDICTS,
        "verdict_meanings": VERDICT_MEANINGS,
    }
    response = state.templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    if fresh:
        response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict")
    return response
