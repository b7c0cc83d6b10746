"""`cross_year`: each loaded report against the same agency's report of the year before.

Recomputed after every load for the agencies of the run's reports, every year of each (a
report's predecessor may have been loaded in another run), stored in `cross_year_results`,
and recorded as one evaluation (both invariants, `evaluations`) on the partition of each of
this run's reports and of the reports that follow them by a year. A report with no year
before passes with both invariants `not applicable`: evaluating it costs an event, and
replaces the planned row Dagster wrote for it when the run started, which holds the run's
whole partition list (~10 KB per report in runs of 500) and nobody reads.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from gaibao_pipeline.checks.evaluations import evaluation
from gaibao_pipeline.contracts.catalog import INVARIANTS
from gaibao_pipeline.contracts.cross_year import load_aliases
from gaibao_pipeline.db import refresh_cross_year, upgrade_schema
from gaibao_pipeline.orchestration.keys import CORE_REPORTS
from gaibao_pipeline.orchestration.partitions import REPORTS
from gaibao_pipeline.orchestration.resources import DatabaseResource
from gaibao_pipeline.report import Report, SourceInfo

CROSS_YEAR = [i for i in INVARIANTS if i.scope == "cross_year"]
SPEC = dg.AssetCheckSpec(
    "cross_year",
    asset=CORE_REPORTS,
    description=(
        "Carried-over applications and documents in force agree with the same agency's previous year."
    ),
    partitions_def=REPORTS,
)


class AgencyAliasesResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """An optional CSV of agency renames (old name, new name) beyond the built-in ones."""

    path: str | None = None

    def aliases(self) -> dict[str, str]:
        return load_aliases(Path(self.path)) if self.path else {}


@dg.multi_asset_check(specs=[SPEC], name="cross_year_checks")
def cross_year(
    context: dg.AssetCheckExecutionContext, database: DatabaseResource, agency_aliases: AgencyAliasesResource
) -> Iterator[dg.AssetCheckEvaluation | dg.Output]:  # type: ignore[type-arg]
    """Carried-over applications and documents in force agree with the same agency's previous year."""
    engine = database.engine()
    upgrade_schema(engine)
    partitioned = context.has_partition_key_range or context.has_partition_key
    in_run = set(context.partition_keys) if partitioned else set()
    refreshed = refresh_cross_year(
        engine, in_run if partitioned else None, agency_aliases.aliases(), run_id=context.run.run_id
    )
    results, stored = refreshed.results, refreshed.stored
    by_id = {r.report_id: r for r in refreshed.reports}
    # every report of this run (so Dagster's planned row of each is replaced by its outcome),
    # and the reports whose predecessor is one of them
    touched = in_run | {
        k for k, checks in results.items() for c in checks if c.detail.get("previous_report_id") in in_run
    }
    for key in sorted(touched):
        report = Report(SourceInfo(key, "", "", 0))
        if key in by_id:
            report.report.agency, report.report.year = by_id[key].agency, by_id[key].year
        # no year before (or no report at all): both invariants are `not applicable`, passed
        yield evaluation(SPEC, CROSS_YEAR, key, report, results.get(key, []))
    context.log.info(f"cross-year: {len(results)} reports have a previous year; {stored} outcomes stored")
    yield dg.Output(None, output_name=SPEC.get_python_identifier())
