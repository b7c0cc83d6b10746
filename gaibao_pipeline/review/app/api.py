"""The JSON API, which the pages' forms post to as well.

`GET /api/reports` lists the queue (`failed=true`: reports with failed checks) as JSON;
`GET /api/reports/{id}` one report's checks and decisions; the two POSTs record a verdict
and a correction. A POST is JSON (`application/json`, token in the Authorization header) or a
form from the report page (CSRF token, token field, answered by a redirect to the page).
Every refusal says why, and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import read_report
from gaibao_pipeline.db.review_queue import QueueReport, review_queue
from gaibao_pipeline.db.reviews import (
    ReviewError,
    Written,
    record_correction,
    record_verdict,
    report_decisions,
)
from gaibao_pipeline.review.app.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    REVIEWER_COOKIE,
    Refused,
    bearer_token,
    check_csrf,
    check_token,
)
from gaibao_pipeline.review.app.state import app_state, render
from gaibao_pipeline.review.app.web import queue_filter

router = APIRouter(prefix="/api")
MAX_BODY = 64 * 1024  # a decision is a few hundred bytes


def _report_json(row: QueueReport) -> dict[str, Any]:
    return {
        "report_id": row.report_id,
        "agency": row.agency,
        "agency_normalized": row.agency_normalized,
        "year": row.year,
        "template": row.template,
        "failed_checks": row.failed_checks,
        "not_evaluable_checks": row.not_evaluable_checks,
        "open_failures": row.n_open,
        "inferred_cells": row.n_inferred,
        "ocr_cells": row.n_ocr,
        "verdicts": row.verdicts,
        "corrections": row.n_corrections,
        "stale": row.stale,
        "url": f"/reports/{row.report_id}",
    }


@router.get("/reports")
def list_reports(
    request: Request,
    failed: bool = False,
    agency: str | None = None,
    year: str | None = None,
    template: str | None = None,
    check: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Reports in the review queue (`failed=true`: those with a failed check), a page at a time."""
    chosen = queue_filter(agency, year, template, check, kind or ("failed" if failed else None), status)
    result = review_queue(app_state(request).engine, chosen, page=page, per_page=per_page)
    return {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "counts": result.counts,
        "reports": [_report_json(row) for row in result.reports],
    }


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(row, default=str, ensure_ascii=False))  # type: ignore[no-any-return]


@router.get("/reports/{report_id}")
def get_report(request: Request, report_id: str) -> Response:
    """A report's checks that did not pass, with its verdicts and corrections (current and superseded)."""
    engine = app_state(request).engine
    report = read_report(engine, report_id)
    if report is None:
        return JSONResponse({"error": f"no report {report_id!r} in the database"}, status_code=404)
    verdicts, corrections = report_decisions(engine, report_id)
    meta = report.report
    return JSONResponse(
        {
            "report_id": report_id,
            "status": report.status.value,
            "agency": meta.agency,
            "year": meta.year,
            "template": meta.template,
            "file": report.source.file,
            "checks": [c.to_dict() for c in report.checks if c.passed is not True],
            "verdicts": [_jsonable(v) for v in verdicts],
            "corrections": [_jsonable(c) for c in corrections],
        }
    )


async def _body(request: Request) -> tuple[dict[str, Any], bool]:
    """The posted fields and whether they came from a form; other content types are refused."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise Refused(413, f"the request body is larger than {MAX_BODY} bytes")
    if kind == "application/json":
        try:
            data = json.loads(await request.body() or b"null")
        except ValueError:
            raise Refused(400, "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise Refused(400, "the body must be a JSON object")
        return data, False
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}, True
    raise Refused(415, "send the fields as application/json (or as the report page's form)")


async def _write(
    request: Request, report_id: str, store: Callable[[Engine, dict[str, Any]], Written], anchor: str
) -> Response:
    state = app_state(request)
    from_form = False
    try:
        fields, from_form = await _body(request)
        if from_form:
            check_csrf(state.settings, request.cookies.get(CSRF_COOKIE), fields.get(CSRF_FIELD))
            presented = fields.get("token") or None
        else:
            presented = bearer_token(
                request.headers.get("authorization"), request.headers.get("x-review-token")
            )
        check_token(state.settings, presented)
        written = await run_in_threadpool(store, state.engine, fields)
    except Refused as refused:
        return _refusal(request, refused.status, refused.message, from_form, report_id)
    except ReviewError as error:
        return _refusal(request, 404 if error.not_found else 422, error.message, from_form, report_id)
    if from_form:
        back = _back_to(report_id, fields)
        response: Response = RedirectResponse(f"{back}#{anchor}", status_code=303)
        # cookie values are Latin-1: the name (often Chinese) is percent-encoded
        response.set_cookie(REVIEWER_COOKIE, quote(str(written.row["reviewer"])), samesite="strict")
        return response
    return JSONResponse({"id": written.id, "superseded": written.superseded, **_jsonable(written.row)}, 201)


def _back_to(report_id: str, fields: dict[str, Any]) -> str:
    """The report page, showing the corrected cell after a correction."""
    key = {name: fields.get(name) for name in ("table", "row", "col")}
    if all(isinstance(v, str) and v for v in key.values()):
        return f"/reports/{report_id}?{urlencode(key)}"
    return f"/reports/{report_id}"


def _refusal(request: Request, status: int, message: str, from_form: bool, report_id: str) -> Response:
    if from_form:
        return render(request, "error.html", {"message": message, "back": f"/reports/{report_id}"}, status)
    return JSONResponse({"error": message}, status_code=status)


@router.post("/reports/{report_id}/verdicts", status_code=201)
async def post_verdict(request: Request, report_id: str) -> Response:
    """Record a verdict (source_error, parse_error, confirmed, dismissed) on a failed check."""

    def store(engine: Engine, f: dict[str, Any]) -> Written:
        return record_verdict(
            engine, report_id, check_id=f.get("check_id"), row=f.get("row"), col=f.get("col"),
            verdict=f.get("verdict"), note=f.get("note"), reviewer=f.get("reviewer"),
        )  # fmt: skip

    return await _write(request, report_id, store, "checks")


@router.post("/reports/{report_id}/corrections", status_code=201)
async def post_correction(request: Request, report_id: str) -> Response:
    """Record the right value of a cell (blank: null or empty), with the reason."""

    def store(engine: Engine, f: dict[str, Any]) -> Written:
        return record_correction(
            engine, report_id, table=f.get("table"), row=f.get("row"), col=f.get("col"),
            value=f.get("value"), reason=f.get("reason"), reviewer=f.get("reviewer"),
        )  # fmt: skip

    return await _write(request, report_id, store, "source")
