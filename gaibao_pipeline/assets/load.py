"""Out layer, per report: the report's rows loaded into the database in one transaction."""

from datetime import UTC, datetime

import dagster as dg

from gaibao_pipeline.db import LoadResult, load_report, record_source_file, upgrade_schema
from gaibao_pipeline.db import schema as db
from gaibao_pipeline.errors import Status
from gaibao_pipeline.partitions import BACKFILL_POLICY, REPORTS
from gaibao_pipeline.report import Report
from gaibao_pipeline.resources import DatabaseResource, redact
from gaibao_pipeline.stages import SourceFile

from .schemas import PARTITION_ROW_COUNT

GROUP = "out"


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


def _load(
    database: DatabaseResource, source: SourceFile, report: Report, run_id: str, at: datetime
) -> LoadResult:
    engine = database.engine()
    assert source.relative_path is not None
    try:
        return load_report(
            engine,
            report,
            report_id=source.report_id,
            source_path=source.relative_path,
            run_id=run_id,
            loaded_at=at,
        )
    except ValueError as exc:
        # The loader refuses a malformed report before writing anything (a parser bug, not
        # bad input): record it as this file's status so the rest of the batch still loads.
        message = f"parsed report could not be loaded: {exc}"
        record_source_file(
            engine,
            report_id=source.report_id,
            source_path=source.relative_path,
            sha256=report.source.sha256 or None,
            size=report.source.size or None,
            format=report.source.format or None,
            status=Status.UNREADABLE,
            error=message,
            run_id=run_id,
            recorded_at=at,
        )
        return LoadResult(source.report_id, Status.UNREADABLE.value, {}, 0, 0, replaced_previous=True)


@dg.asset(
    partitions_def=REPORTS,
    backfill_policy=BACKFILL_POLICY,
    group_name=GROUP,
    code_version="1",
    kinds={"sql"},
)
def out_loaded_reports(
    context: dg.AssetExecutionContext,
    raw_source_files: dict[str, SourceFile],
    core_reports: dict[str, Report],
    database: DatabaseResource,
) -> dg.MaterializeResult:  # type: ignore[type-arg]
    """The report's rows in every table, replacing its earlier load; rows carry run id and source hash."""
    upgrade_schema(database.engine())  # one read when the schema is already current
    context.log.info(f"loading {len(context.partition_keys)} reports into {redact(database.resolved_url())}")
    run_id = context.run.run_id
    loaded_at = datetime.now(UTC)  # one load time for the whole batch
    for key in context.partition_keys:
        source, report = raw_source_files[key], core_reports[key]
        if source.missing:
            context.log.warning(f"{key} (missing): not loaded; its rows, if any, are kept")
            context.add_asset_metadata({"loaded": False}, partition_key=key)
            continue
        result = _load(database, source, report, run_id, loaded_at)
        rows = _row_counts(report, result)
        context.add_asset_metadata(
            {
                "loaded": True,
                "status": result.status,
                "path": source.relative_path,
                "sha256": report.source.sha256,
                "checks_failed": result.n_failed,
                "rows": dg.MetadataValue.json(rows),
                PARTITION_ROW_COUNT: sum(rows.values()),
            },
            partition_key=key,
        )
        context.log.info(
            f"{key} {source.relative_path}: loaded as {result.status}, {result.total_cells} cells, "
            f"{result.n_failed} failed checks"
        )
    return dg.MaterializeResult()
