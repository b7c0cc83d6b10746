"""Asset checks on the rows each report would load: the pandera table contracts, per partition.

The loader refuses a report whose rows break a blocking contract (it is recorded as
`invalid` and its batch loads without it); this check makes every contract failure of a
report visible on its partition, with the offending rows.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg

from gaibao_pipeline.checks.markdown import md_table
from gaibao_pipeline.db.rows import report_rows
from gaibao_pipeline.db.validate import contract_failures
from gaibao_pipeline.partitions import REPORTS
from gaibao_pipeline.report import Report

CORE_REPORTS = dg.AssetKey("core_reports")
SPEC = dg.AssetCheckSpec(
    "table_contracts",
    asset=CORE_REPORTS,
    description="The report's rows meet every table's pandera contract (codes, types, nullability, ranges).",
    partitions_def=REPORTS,
)


@dg.multi_asset_check(specs=[SPEC], name="table_contracts")
def table_contracts(
    context: dg.AssetCheckExecutionContext, core_reports: dict[str, Report]
) -> Iterator[dg.AssetCheckEvaluation | dg.Output]:  # type: ignore[type-arg]
    """Types, allowed codes, nullability and ranges of the rows each report loads (pandera, lazy)."""
    now = datetime.now(UTC)
    batch = {
        key: report_rows(report, report_id=key, source_path=report.source.file, run_id=None, loaded_at=now)
        for key, report in core_reports.items()
    }
    failures = contract_failures(batch, {key: r.report.template for key, r in core_reports.items()})
    for key in core_reports:
        found = failures.get(key, [])
        blocking = [f for f in found if f.blocking]
        metadata: dict[str, object] = {"failures": len(found), "blocking": len(blocking)}
        if found:
            rows = [
                [f.table, f.column or "*", f.check, f.failure_case, "yes" if f.blocking else "no"]
                for f in found
            ]
            metadata["contracts"] = dg.MetadataValue.md(
                md_table(["table", "column", "contract", "value", "blocks loading"], rows[:30])
            )
            metadata["detail"] = dg.MetadataValue.json([f.to_dict() for f in found])
        yield dg.AssetCheckEvaluation(
            asset_key=CORE_REPORTS,
            check_name=SPEC.name,
            passed=not found,
            metadata=metadata,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            description=SPEC.description,
            partition=key,
        )
    failing = sum(1 for k in core_reports if failures.get(k))
    context.log.info(f"table contracts: {failing} of {len(core_reports)} reports fail")
    yield dg.Output(None, output_name=SPEC.get_python_identifier())
