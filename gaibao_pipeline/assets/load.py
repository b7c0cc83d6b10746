"""Out layer, per report: the report's rows loaded into the database, replacing its earlier load.

Materialised by the per-report step (`per_report.read_parse_load`), a chunk of reports per
transaction while the rest of the batch is still being parsed; this module describes the
asset and what each partition's materialization records.
"""

import dagster as dg

from gaibao_pipeline.db import LoadResult
from gaibao_pipeline.db import schema as db
from gaibao_pipeline.errors import Status
from gaibao_pipeline.orchestration.keys import OUT_LOADED_REPORTS
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.stages import SourceFile

from .schemas import PARTITION_ROW_COUNT

GROUP = "out"
LOADED_OUT = "out_loaded_reports"
OUT = dg.AssetOut(
    key=OUT_LOADED_REPORTS,
    description="The report's rows in every table, replacing its earlier load; rows carry run id, file hash.",
    group_name=GROUP,
    code_version="1",
    kinds={"sql"},
    dagster_type=dg.Nothing,  # the rows are in the database; nothing is stored between steps
)


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


def missing_reason(source: SourceFile) -> str:
    """Why a report was not loaded: its file is missing (its earlier rows, if any, are kept)."""
    where = f"{source.relative_path} was removed before it was read" if source.relative_path else "no file"
    return f"{where}; not loaded, its earlier rows, if any, are kept"


def loaded_metadata(source: SourceFile, report: Report, result: LoadResult | None) -> dict[str, object]:
    """What a partition's materialization of out_loaded_reports shows."""
    if result is None:
        return {"loaded": False, "status": "missing", "reason": missing_reason(source)}
    rows = _row_counts(report, result)
    return {
        "loaded": True,
        "status": result.status,
        "path": source.relative_path,
        "sha256": report.source.sha256,
        "checks_failed": result.n_failed,
        "rows": dg.MetadataValue.json(rows),
        PARTITION_ROW_COUNT: sum(rows.values()),
    }
