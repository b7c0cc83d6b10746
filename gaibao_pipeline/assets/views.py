"""Out layer, whole database: the consumer views, refreshed after every batch with summary counts."""

import dagster as dg

from gaibao_pipeline.db import schema as db
from gaibao_pipeline.db import upgrade_schema
from gaibao_pipeline.db.summary import row_count, summarize
from gaibao_pipeline.orchestration.keys import table_key
from gaibao_pipeline.orchestration.resources import DatabaseResource

from .schemas import ROW_COUNT, table_metadata

GROUP = "out"
_REPORT = {
    col: [(db.reports, col)] for col in ("report_id", "agency", "agency_normalized", "year", "template")
}
_T3 = [(db.cells_t3, "value"), (db.cells_t3, "row_code"), (db.cells_t3, "col_code")]
_T4 = [(db.cells_t4, "value"), (db.cells_t4, "row_code"), (db.cells_t4, "col_code")]
_CHECKS = [(db.check_results, "passed"), (db.check_results, "severity")]

T3_WIDE_LINEAGE = {
    **_REPORT,
    "row_code": [(db.cells_t3, "row_code")],
    **{col: [*_T3, (db.corrections, "value")] for col in db.T3_WIDE_COLS},
    "n_inferred": [(db.cells_t3, "inferred")],
    "n_corrected": [(db.corrections, "value")],
}
SUMMARY_LINEAGE = {
    **_REPORT,
    **{col: _T3 for col in ("received", "carried_over", "processed", "carried_forward")},
    **{col: _T4 for col in ("review_total", "litigation_direct_total", "litigation_after_review_total")},
    "n_error_checks_failed": _CHECKS,
    "n_warning_checks_failed": _CHECKS,
    "n_warnings": [(db.reports, "n_warnings")],
    "n_reports_agency_year": [(db.reports, "agency_normalized"), (db.reports, "year")],
}


@dg.asset(
    group_name=GROUP,
    deps=[table_key(db.reports), table_key(db.cells_t3), table_key(db.corrections)],
    code_version="1",
    kinds={"sql"},
    metadata=table_metadata(db.t3_wide, T3_WIDE_LINEAGE),
)
def out_t3_wide(database: DatabaseResource) -> dg.MaterializeResult:  # type: ignore[type-arg]
    """Table 三 per report and row code, seven applicant columns, reviewers' corrections applied (a view)."""
    engine = database.engine()
    upgrade_schema(engine)
    return dg.MaterializeResult(metadata={ROW_COUNT: row_count(engine, db.t3_wide)})


@dg.asset(
    group_name=GROUP,
    deps=[
        table_key(db.source_files),
        table_key(db.reports),
        table_key(db.cells_t3),
        table_key(db.cells_t4),
        table_key(db.check_results),
    ],
    code_version="1",
    kinds={"sql"},
    metadata=table_metadata(db.agency_year_summary, SUMMARY_LINEAGE),
)
def out_agency_year_summary(
    context: dg.AssetExecutionContext, database: DatabaseResource
) -> dg.MaterializeResult:  # type: ignore[type-arg]
    """Per ok report: applications received/processed/carried, review and litigation totals (a view)."""
    engine = database.engine()
    upgrade_schema(engine)
    summary = summarize(engine)
    context.log.info(
        f"database holds {summary.files} files ({summary.files_by_status}), {summary.cells} cells, "
        f"{summary.errors_failed} failed error checks in {summary.reports_with_errors} reports"
    )
    return dg.MaterializeResult(
        metadata={
            ROW_COUNT: row_count(engine, db.agency_year_summary),
            "files": summary.files,
            "files_by_status": dg.MetadataValue.json(summary.files_by_status),
            "reports_by_year": dg.MetadataValue.json({str(y): n for y, n in summary.reports_by_year.items()}),
            "cells": summary.cells,
            "error_checks_failed": summary.errors_failed,
            "warning_checks_failed": summary.warnings_failed,
            "reports_with_failed_error_checks": summary.reports_with_errors,
        }
    )


PANEL_LINEAGE = {
    **{col: [(db.reports, col)] for col in ("agency_normalized", "year", "agency", "report_id", "template")},
    **{
        measure: [*_T3, *_T4, (db.cells_legacy, "value"), (db.cells_legacy, "row_code")]
        for measure in db.PANEL_MEASURES
    },
    "n_reports_agency_year": [(db.reports, "agency_normalized"), (db.reports, "year")],
}


@dg.asset(
    group_name=GROUP,
    deps=[
        table_key(db.reports),
        table_key(db.cells_t3),
        table_key(db.cells_t4),
        table_key(db.cells_legacy),
    ],
    code_version="1",
    kinds={"sql"},
    metadata=table_metadata(db.agency_year_panel, PANEL_LINEAGE),
)
def out_agency_year_panel(database: DatabaseResource) -> dg.MaterializeResult:  # type: ignore[type-arg]
    """One row per agency and year, any template: applications, grants, reviews, lawsuits (a view)."""
    engine = database.engine()
    upgrade_schema(engine)
    return dg.MaterializeResult(metadata={ROW_COUNT: row_count(engine, db.agency_year_panel)})
