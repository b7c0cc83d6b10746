"""Out layer, per report: the report's rows loaded into the database in one transaction."""

from datetime import UTC, datetime

import dagster as dg

from gaibao_pipeline.db import LoadResult, ReportToLoad, load_reports, upgrade_schema
from gaibao_pipeline.db import schema as db
from gaibao_pipeline.errors import Status
from gaibao_pipeline.partitions import BACKFILL_POLICY, REPORTS
from gaibao_pipeline.report import Report
from gaibao_pipeline.resources import DatabaseResource, redact
from gaibao_pipeline.stages import SourceFile

from .partition_metadata import partition_metadata
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


def load_batch(
    database: DatabaseResource,
    items: list[tuple[SourceFile, Report]],
    run_id: str,
    at: datetime,
) -> list[LoadResult]:
    """Load the batch through the pure loader: contracts checked for all, one transaction each.

    A report whose rows would break the table contracts (a parser bug, not bad input) is
    recorded as `invalid` with the reason, and the rest of the batch still loads.
    """
    engine = database.engine()
    to_load = []
    for source, report in items:
        assert source.relative_path is not None
        to_load.append(ReportToLoad(report, source.report_id, source.relative_path))
    return load_reports(engine, to_load, run_id=run_id, loaded_at=at)


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
    add_metadata = partition_metadata(context)
    upgrade_schema(database.engine())  # one read when the schema is already current
    context.log.info(f"loading {len(context.partition_keys)} reports into {redact(database.resolved_url())}")
    run_id = context.run.run_id
    loaded_at = datetime.now(UTC)  # one load time for the whole batch
    present = []
    for key in context.partition_keys:
        if raw_source_files[key].missing:
            context.log.warning(f"{key} (missing): not loaded; its rows, if any, are kept")
            add_metadata(key, {"loaded": False})
        else:
            present.append(key)
    items = [(raw_source_files[key], core_reports[key]) for key in present]
    for key, result in zip(present, load_batch(database, items, run_id, loaded_at), strict=True):
        source, report = raw_source_files[key], core_reports[key]
        rows = _row_counts(report, result)
        add_metadata(
            key,
            {
                "loaded": True,
                "status": result.status,
                "path": source.relative_path,
                "sha256": report.source.sha256,
                "checks_failed": result.n_failed,
                "rows": dg.MetadataValue.json(rows),
                PARTITION_ROW_COUNT: sum(rows.values()),
            },
        )
        context.log.info(
            f"{key} {source.relative_path}: loaded as {result.status}, {result.total_cells} cells, "
            f"{result.n_failed} failed checks"
        )
    return dg.MaterializeResult()
