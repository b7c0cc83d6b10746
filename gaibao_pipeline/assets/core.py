"""Core layer: each file read into a Document, then parsed into its canonical, checked Report.

Materialised by the per-report step (`per_report.read_parse_load`); this module describes
the two assets and what each partition's materialization records.
"""

import dagster as dg

from gaibao_pipeline.orchestration.keys import CORE_DOCUMENTS, CORE_REPORTS
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.stages import DocumentSummary

GROUP = "core"

DOCUMENTS_OUT = "core_documents"
REPORTS_OUT = "core_reports"
OUTS = {
    DOCUMENTS_OUT: dg.AssetOut(
        key=CORE_DOCUMENTS,
        description="The file read into paragraphs and table grids with provenance, or why it could not be.",
        group_name=GROUP,
        code_version="1",
        kinds={"python"},
    ),
    REPORTS_OUT: dg.AssetOut(
        key=CORE_REPORTS,
        description="The parsed report: agency, year, template, sections, canonical cells and check results.",
        group_name=GROUP,
        # The parser's output for the same document changes with the package; bump with parsing/.
        code_version="1",
        kinds={"python"},
    ),
}


def log_line(key: str, report: Report) -> str:
    failed = [c for c in report.checks if c.passed is False]
    meta = report.report
    read = f"{key} {report.source.file}: {report.source.format}, {report.status.value}"
    if not report.ok:
        return f"{read} ({report.message})"
    return (
        f"{read} {meta.agency} {meta.year} template {meta.template}, "
        f"{len(report.cells)} cells, {len(failed)} failed checks"
    )


def document_metadata(document: DocumentSummary) -> dict[str, object]:
    return {
        "file": document.source.file,
        "format": document.source.format,
        "status": document.status.value,
        "pages": document.pages,
        "tables": document.tables,
        "paragraphs": document.paragraphs,
    }


def report_metadata(report: Report) -> dict[str, object]:
    failed = [c for c in report.checks if c.passed is False]
    meta = report.report
    return {
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
