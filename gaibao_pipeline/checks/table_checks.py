"""The pandera table contracts of the rows each report loads, as a check evaluation per partition.

The loader validates every chunk of reports against the contracts before writing and
refuses a report whose rows break a blocking one (it is recorded as `invalid` and the rest
of the chunk loads); this check makes every contract failure the loader found visible on
the report's partition, with the offending rows. The rows are validated once, by the loader.
"""

import dagster as dg

from gaibao_pipeline.checks.markdown import md_table
from gaibao_pipeline.db import LoadResult
from gaibao_pipeline.orchestration.keys import CORE_REPORTS
from gaibao_pipeline.orchestration.partitions import REPORTS

SPEC = dg.AssetCheckSpec(
    "table_contracts",
    asset=CORE_REPORTS,
    description="The report's rows meet every table's pandera contract (codes, types, nullability, ranges).",
    partitions_def=REPORTS,
)


def contract_evaluation(partition: str, result: LoadResult | None) -> dg.AssetCheckEvaluation:
    """Types, allowed codes, nullability and ranges of the rows the report loads (pandera, lazy)."""
    found = list(result.contract_failures) if result is not None else []
    blocking = [f for f in found if f.blocking]
    metadata: dict[str, object] = {"failures": len(found), "blocking": len(blocking)}
    if result is None:
        metadata["loaded"] = False  # the file is gone: no rows to check
    elif result.refused:
        metadata["refused"] = result.refused
    if found:
        rows = [
            [f.table, f.column or "*", f.check, f.failure_case, "yes" if f.blocking else "no"] for f in found
        ]
        metadata["contracts"] = dg.MetadataValue.md(
            md_table(["table", "column", "contract", "value", "blocks loading"], rows[:30])
        )
        metadata["detail"] = dg.MetadataValue.json([f.to_dict() for f in found])
    refused = result is not None and result.refused is not None
    return dg.AssetCheckEvaluation(
        asset_key=CORE_REPORTS,
        check_name=SPEC.name,
        passed=not found and not refused,
        metadata=metadata,
        severity=dg.AssetCheckSeverity.ERROR if blocking or refused else dg.AssetCheckSeverity.WARN,
        description=SPEC.description,
        partition=partition,
    )
