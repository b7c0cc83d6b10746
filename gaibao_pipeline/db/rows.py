"""A `Report` as database rows: pure functions, no connection.

Building every row before the transaction opens means a malformed report (an unknown table
code, a duplicate cell, a non-numeric value) is refused before anything is deleted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any

from gaibao_pipeline.chinese import normalize_agency
from gaibao_pipeline.contracts.renditions import Choice
from gaibao_pipeline.db.engine import jsonable
from gaibao_pipeline.db.schema import CELL_TABLES
from gaibao_pipeline.errors import Status
from gaibao_pipeline.report import CheckResult, Report, ReportCell

Row = dict[str, Any]


@dataclass(slots=True)
class ReportRows:
    """Everything `load_report` writes for one report, keyed by table name where plural."""

    source_file: Row
    report: Row
    sections: list[Row] = field(default_factory=list)
    cells: dict[str, list[Row]] = field(default_factory=dict)  # cell table code → rows
    checks: list[Row] = field(default_factory=list)
    rendition: Row | None = None  # the `renditions` row of a file with other renditions


def utc(moment: datetime | None) -> datetime:
    """`moment` in UTC (naive times are taken as UTC); now when None."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_date(text: str | None) -> date | None:
    """The date of an ISO date or date-time string; None when absent or not ISO."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def check_report_id(report_id: str) -> str:
    if not report_id or not report_id.isascii() or len(report_id) > 64:
        raise ValueError(f"report_id must be 1-64 ASCII characters, got {report_id!r}")
    return report_id


def source_file_row(
    *,
    report_id: str,
    source_path: str,
    file_name: str | None,
    sha256: str | None,
    size: int | None,
    format: str | None,
    status: Status,
    error: str | None,
    run_id: str | None,
    at: datetime,
    source_url: str | None = None,
    article_url: str | None = None,
) -> Row:
    return {
        "report_id": check_report_id(report_id),
        "source_path": source_path,
        "file_name": file_name or PurePosixPath(source_path).name,  # "/"-separated; "\\" is a name
        "sha256": sha256 or None,
        "size_bytes": size,
        "format": format or None,
        "status": status.value,
        "error_message": error,
        # Kept from the first insert by the upsert; only a new row takes this value.
        "first_seen_at": at,
        "loaded_at": at,
        "run_id": run_id,
        "source_url": source_url,
        "article_url": article_url,
    }


def _value(cell: ReportCell) -> int | float | None:
    value = cell.value
    if value is None:
        return None
    # bool is an int subclass; a True here is a parser bug, not the number 1.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"cell {cell.key} has a non-numeric value {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cell {cell.key} has a non-finite value {value!r}")
    return value


def cell_row(cell: ReportCell, report_id: str, sha256: str | None, run_id: str | None) -> Row:
    where = cell.where
    return {
        "report_id": report_id,
        "row_code": cell.row,
        "col_code": cell.col,
        "value": _value(cell),
        "raw_text": cell.raw,
        "inferred": bool(cell.inferred),
        "note": cell.note or None,
        "page": where.page if where else None,
        "table_index": where.table_index if where else None,
        "grid_row": where.row if where else None,
        "grid_col": where.col if where else None,
        "line": where.line if where else None,
        "bbox": [round(v, 2) for v in where.bbox] if where and where.bbox is not None else None,
        "source_sha256": sha256,
        "run_id": run_id,
        "ocr": bool(cell.ocr),
        "ocr_confidence": cell.confidence if cell.ocr else None,
        **({"raw_label": cell.raw_label, "raw_code": cell.raw_code} if cell.table == "legacy" else {}),
    }


def check_row(seq: int, check: CheckResult, report_id: str, run_id: str | None) -> Row:
    return {
        "report_id": report_id,
        "seq": seq,
        "check_id": check.id,
        "passed": check.passed,
        "severity": check.severity,
        "detail": jsonable(check.detail),
        "cells": [list(key) for key in check.cells],
        "run_id": run_id,
    }


def _cells(report: Report, report_id: str, sha256: str | None, run_id: str | None) -> dict[str, list[Row]]:
    by_table: dict[str, list[Row]] = {code: [] for code in CELL_TABLES}
    seen: set[tuple[str, str, str]] = set()
    for cell in report.cells:
        if cell.table not in by_table:
            raise ValueError(f"cell {cell.key} has an unknown table code {cell.table!r}")
        if cell.key in seen:
            raise ValueError(f"cell {cell.key} appears twice in the report")
        seen.add(cell.key)
        by_table[cell.table].append(cell_row(cell, report_id, sha256, run_id))
    return by_table


def report_rows(
    report: Report,
    *,
    report_id: str,
    source_path: str,
    run_id: str | None,
    loaded_at: datetime,
    source_url: str | None = None,
    article_url: str | None = None,
    rendition: Choice | None = None,
) -> ReportRows:
    """The rows of one report. A report that is not ok gets its status rows and nothing else.

    `source_url` and `article_url`: where a fetched file came from (its sidecar record);
    `rendition`: where the file stands among the renditions of its report, if it has others.
    """
    check_report_id(report_id)
    status = Status(report.status)
    source = report.source
    sha256 = source.sha256 or None
    meta = report.report
    ok = status is Status.OK
    cells = _cells(report, report_id, sha256, run_id) if ok else {code: [] for code in CELL_TABLES}
    checks = [check_row(i, c, report_id, run_id) for i, c in enumerate(report.checks, 1)] if ok else []
    sections = (
        [
            {"report_id": report_id, "seq": i, "no": s.no, "title": s.title, "printed_no": s.printed_no}
            for i, s in enumerate(report.sections, 1)
        ]
        if ok
        else []
    )
    warnings = [str(w) for w in report.warnings]
    report_row: Row = {
        "report_id": report_id,
        "agency": meta.agency,
        "agency_normalized": normalize_agency(meta.agency),
        "year": meta.year,
        "template": meta.template,
        "report_date": parse_date(meta.report_date),
        "published_at": meta.published_at,
        "status": status.value,
        "message": report.message,
        "page_count": report.page_count,
        "source_sha256": sha256,
        "run_id": run_id,
        "loaded_at": loaded_at,
        "n_cells": sum(len(rows) for rows in cells.values()),
        "n_checks": len(checks),
        "n_checks_failed": sum(1 for c in checks if c["passed"] is False),
        "n_warnings": len(warnings),
        "warnings": warnings,
    }
    source_row = source_file_row(
        report_id=report_id,
        source_path=source_path,
        file_name=source.file,
        sha256=sha256,
        size=source.size,
        format=source.format,
        status=status,
        error=None if ok else report.message,
        run_id=run_id,
        at=loaded_at,
        source_url=source_url,
        article_url=article_url,
    )
    rendition_row = (
        {
            "report_id": report_id,
            "loaded_report_id": check_report_id(rendition.loaded_key),
            "rank": rendition.rank,
            "article_url": article_url or source_url,
            "format": source.format or None,
            "cells_read": rendition.cells_read,
            "errors_failed": rendition.errors_failed,
            "basis": rendition.basis,
            "run_id": run_id,
            "loaded_at": loaded_at,
        }
        if rendition is not None
        else None
    )
    return _without_nul(
        ReportRows(
            source_file=source_row,
            report=report_row,
            sections=sections,
            cells=cells,
            checks=checks,
            rendition=rendition_row,
        )
    )


_NUL = "\x00"
# Values `_clean` returns unchanged: rows hold hundreds of them, checked inline rather than
# with a call each (building the rows cost more than inserting them).
_INERT = frozenset({int, float, bool, type(None), date, datetime})


def _clean(value: Any) -> Any:
    # PostgreSQL refuses NUL in text; a document's NUL is never meaningful, so both
    # backends store the text without it
    if isinstance(value, str):
        return value.replace(_NUL, "")
    if isinstance(value, list):
        return [
            v.replace(_NUL, "") if type(v) is str else v if type(v) in _INERT else _clean(v) for v in value
        ]
    if isinstance(value, dict):
        return {
            k: v.replace(_NUL, "") if type(v) is str else v if type(v) in _INERT else _clean(v)
            for k, v in value.items()
        }
    return value


def _without_nul(rows: ReportRows) -> ReportRows:
    # Nearly every report has no NUL at all: one repr (in C) of the rows finds that out
    # faster than visiting their hundreds of values. A backslash followed by "x00" in the
    # text also matches; that only costs the full pass below.
    if "\\x00" not in repr((rows.source_file, rows.report, rows.sections, rows.cells, rows.checks)):
        return rows
    rows.source_file = _clean(rows.source_file)
    rows.report = _clean(rows.report)
    rows.sections = _clean(rows.sections)
    rows.cells = {code: _clean(cells) for code, cells in rows.cells.items()}
    rows.checks = _clean(rows.checks)
    return rows
