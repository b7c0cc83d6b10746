"""What each partition's materialization of core_reports records: the report's file, what was
read and parsed from it, and what was loaded; written once per partition by the step
(`PartitionMetadata`), so the partition view shows every report of a bulk run on its own.
"""

from __future__ import annotations

import dagster as dg

from gaibao_pipeline.db import LoadResult
from gaibao_pipeline.db import schema as db
from gaibao_pipeline.errors import Status
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.stages import ParsedFile, SourceFile

from .schemas import PARTITION_ROW_COUNT


def source_metadata(source: SourceFile) -> dict[str, object]:
    """The file the run registered: its path in the landing folder, size and (when known) SHA-256."""
    return {"path": source.relative_path, "size_bytes": source.size}


def parsed_metadata(parsed: ParsedFile) -> dict[str, object]:
    """What was read (format, pages, tables) and parsed (agency, year, template, cells, checks)."""
    document, report = parsed.document, parsed.report
    failed = [c for c in report.checks if c.passed is False]
    meta = report.report
    return {
        "file": document.source.file,
        "format": document.source.format,
        "sha256": report.source.sha256,
        "pages": document.pages,
        "tables": document.tables,
        "status": report.status.value,
        "agency": meta.agency,
        "year": meta.year,
        "template": meta.template,
        "sections": len(report.sections),
        "cells": len(report.cells),
        "inferred_cells": sum(1 for c in report.cells if c.inferred),
        "checks_failed": len(failed),
        "errors_failed": sum(1 for c in failed if c.severity == "error"),
        "warnings": len(report.warnings),
    }


def missing_reason(source: SourceFile) -> str:
    """Why a report was not loaded: its file is missing (its earlier rows, if any, are kept)."""
    where = f"{source.relative_path} was removed before it was read" if source.relative_path else "no file"
    return f"{where}; not loaded, its earlier rows, if any, are kept"


def loaded_metadata(source: SourceFile, report: Report, result: LoadResult | None) -> dict[str, object]:
    """What the load did: the rows the report now has in each table, or why it was not loaded."""
    if result is None:
        return {"loaded": False, "load_status": "missing", "reason": missing_reason(source)}
    rows = _row_counts(report, result)
    return {
        "loaded": True,
        "load_status": result.status,
        "rows": dg.MetadataValue.json(rows),
        PARTITION_ROW_COUNT: sum(rows.values()),
    }


def _row_counts(report: Report, result: LoadResult) -> dict[str, int]:
    """Rows this report now has in each table (a failed report keeps only its status rows)."""
    ok = result.status == Status.OK.value
    return {
        "source_files": 1,
        "reports": 1,
        "sections": len(report.sections) if ok else 0,
        **{f"cells_{code}": result.n_cells.get(code, 0) for code in db.CELL_TABLES},
        "check_results": result.n_checks,
    }
