"""The pages a reviewer reads: the queue, a report with its source, an agency over the years."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gaibao_pipeline.contracts.catalog import INVARIANTS
from gaibao_pipeline.db import read_report
from gaibao_pipeline.db.panel import MEASURE_LABELS, MEASURES, agency_panel
from gaibao_pipeline.db.review_queue import KINDS, STATUSES, QueueFilter, review_queue
from gaibao_pipeline.db.reviews import report_decisions
from gaibao_pipeline.db.schema import cross_year_results, reports, source_files
from gaibao_pipeline.report import CellKey, Report
from gaibao_pipeline.review.app.chart import panel_figure
from gaibao_pipeline.review.app.pdf_pages import FAILED, SELECTED, Mark, PageNotFound, page_png
from gaibao_pipeline.review.app.report_view import number_text, report_view
from gaibao_pipeline.review.app.source import (
    ContextLine,
    SourceLocation,
    grid_context,
    locate,
    read_again,
    text_context,
)
from gaibao_pipeline.review.app.state import app_state, render

router = APIRouter()


def _optional_int(text: str | None, name: str) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise HTTPException(422, f"{name} must be a whole number") from None


def queue_filter(
    agency: str | None, year: str | None, template: str | None, check: str | None, kind: str | None,
    status: str | None,
) -> QueueFilter:  # fmt: skip
    """The filter of the query string; an unknown kind or status is the reviewer's error (422)."""
    try:
        return QueueFilter(
            agency=agency or None,
            year=_optional_int(year, "year"),
            template=template or None,
            check=check or None,
            kind=kind or None,
            status=status or None,
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    return RedirectResponse("/queue", status_code=307)


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    agency: str | None = None,
    year: str | None = None,
    template: str | None = None,
    check: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    chosen = queue_filter(agency, year, template, check, kind, status)
    state = app_state(request)
    result = review_queue(state.engine, chosen, page=page, per_page=50)
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(
        request,
        "queue.html",
        {
            "queue": result,
            "filter": chosen,
            "kinds": KINDS,
            "statuses": STATUSES,
            "check_ids": _check_ids(),
            "page_query": lambda n: urlencode({**params, "page": n}),
            "filter_query": lambda **changes: urlencode({**params, **changes}),
        },
    )


def _check_ids() -> list[str]:
    # from the catalogue, not `SELECT DISTINCT` over millions of outcomes
    return [i.id for i in INVARIANTS if i.scope == "report"]


def _selected(table: str | None, row: str | None, col: str | None) -> CellKey | None:
    return (table, row, col) if table and row and col else None


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request,
    report_id: str,
    table: str | None = None,
    row: str | None = None,
    col: str | None = None,
) -> Response:
    state = app_state(request)
    report = read_report(state.engine, report_id)
    if report is None:
        return render(request, "error.html", {"message": f"no report {report_id!r} in the database"}, 404)
    source = _source_row(state.engine, report_id)
    verdicts, corrections = report_decisions(state.engine, report_id)
    view = report_view(report, verdicts, corrections, _selected(table, row, col))
    location = locate(state.settings.landing_dir, source["source_path"], source["sha256"])
    return render(
        request,
        "report.html",
        {
            "report_id": report_id,
            "report": report,
            "meta": report.report,
            "source": source,
            "head": _report_row(state.engine, report_id),
            "view": view,
            "location": location,
            "source_view": _source_view(request, report_id, report, view.selected, location),
            "verdict_history": verdicts,
            "corrections": corrections,
            "cross_year": _cross_year(state.engine, report_id),
            "number_text": number_text,
        },
    )


def _source_row(engine: sa.Engine, report_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = (
            conn.execute(sa.select(source_files).where(source_files.c.report_id == report_id))
            .mappings()
            .one()
        )
    return dict(row)


def _report_row(engine: sa.Engine, report_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = (
            conn.execute(
                sa.select(reports.c.agency_normalized, reports.c.loaded_at, reports.c.run_id).where(
                    reports.c.report_id == report_id
                )
            )
            .mappings()
            .one()
        )
    return dict(row)


def _cross_year(engine: sa.Engine, report_id: str) -> list[dict[str, Any]]:
    t = cross_year_results
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                sa.select(t.c.check_id, t.c.passed, t.c.detail, t.c.previous_report_id)
                .where(t.c.report_id == report_id, sa.or_(t.c.passed == sa.false(), t.c.passed.is_(None)))
                .order_by(t.c.seq)
            ).mappings()
        ]


def _source_view(
    request: Request, report_id: str, report: Report, cell: Any, location: SourceLocation
) -> dict[str, Any]:
    """What the source panel shows for the selected cell: a page image, or lines around it."""
    settings = app_state(request).settings
    out: dict[str, Any] = {"kind": "none", "lines": [], "image": None, "note": None}
    if cell is None:
        out["note"] = "no failed check points at a cell; pick a cell in a table to see where it came from"
        return out
    where = cell.where
    if where is None:
        out["note"] = "this value was not read from the document (inferred from the identities)"
        return out
    if location.path is None:
        return out
    if report.source.format == "pdf" and where.page is not None:
        query = urlencode({"table": cell.table, "row": cell.row, "col": cell.col})
        out["kind"], out["image"], out["page"] = (
            "page",
            f"/reports/{report_id}/pages/{where.page}.png?{query}",
            where.page,
        )
        if where.bbox is None:
            out["note"] = "the cell's position on the page is not known: the page is shown unmarked"
        return out
    lines: list[ContextLine] = []
    if where.line is not None and report.source.format == "text":
        lines = text_context(location.path, where.line, cell.raw, settings.limits)
    elif where.table_index is not None and where.row is not None and where.col is not None:
        document = read_again(location.path, settings.limits)
        if document is not None:
            lines = grid_context(document, where.table_index, where.row, where.col, cell.raw)
    out["kind"], out["lines"] = "lines", lines
    if not lines:
        out["note"] = "the lines around this value could not be found in the source file"
    return out


@router.get("/reports/{report_id}/pages/{page}.png")
def page_image(
    request: Request,
    report_id: str,
    page: int,
    table: str | None = None,
    row: str | None = None,
    col: str | None = None,
) -> Response:
    """The PDF page with the selected cell (red) and the other failing cells on it (orange) marked."""
    state = app_state(request)
    report = read_report(state.engine, report_id)
    if report is None or report.source.format != "pdf":
        raise HTTPException(404, "no PDF report with this id")
    source = _source_row(state.engine, report_id)
    location = locate(state.settings.landing_dir, source["source_path"], source["sha256"])
    if location.path is None:
        raise HTTPException(404, location.note or "source file not found")
    selected = _selected(table, row, col)
    failing = {key for check in report.checks if check.passed is False for key in check.cells}
    marks = [
        Mark(cell.where.bbox, SELECTED if cell.key == selected else FAILED)
        for cell in report.cells
        if cell.where is not None
        and cell.where.page == page
        and cell.where.bbox is not None
        and (cell.key == selected or cell.key in failing)
    ]
    try:
        png = page_png(location.path, page, marks, state.settings.limits)
    except PageNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})


@router.get("/agencies/{agency:path}", response_class=HTMLResponse)
def agency_page(request: Request, agency: str) -> Response:
    """An agency (by its normalised name) over the years: reports, check status, the panel chart."""
    state = app_state(request)
    r = reports.c
    with state.engine.connect() as conn:
        rows = [
            dict(row)
            for row in conn.execute(
                sa.select(
                    r.report_id,
                    r.agency,
                    r.year,
                    r.template,
                    r.status,
                    r.n_checks,
                    r.n_checks_failed,
                    source_files.c.file_name,
                )
                .join(source_files, source_files.c.report_id == r.report_id)
                .where(r.agency_normalized == agency)
                .order_by(r.year, r.report_id)
            ).mappings()
        ]
    if not rows:
        return render(request, "error.html", {"message": f"no reports of an agency {agency!r}"}, 404)
    panel = agency_panel(state.engine, agency)
    return render(
        request,
        "agency.html",
        {
            "agency": agency,
            "names": sorted({row["agency"] for row in rows if row["agency"]}),
            "reports": rows,
            "panel": panel,
            "measures": MEASURES,
            "measure_labels": MEASURE_LABELS,
            "figure": panel_figure(panel),
            "number_text": number_text,
        },
    )
