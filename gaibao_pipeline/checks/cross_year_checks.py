"""`cross_year`: the run's reports against the same agency's report of the year before.

A check across reports, so one evaluation per run rather than one per report partition.
After the run's loads it recomputes the cross-year invariants for the agencies of the run's
reports, every year of each (a report's predecessor may have been loaded in another run),
stores them in `cross_year_results`, and records ONE evaluation on `core_reports`: failed when
any report it touched (the run's, and those that follow them by a year) fails
`cross_year.carry` or `cross_year.in_force`, with every failing report, expected against
found and a review link in its metadata (`evaluations.cross_year_evaluation`).

Why not per report: a partitioned check costs a planned row per report at the run's start
(each serialising the run's whole partition list) and an event and an update per report
when evaluated, about a third of what a kept instance stored per report; and most reports
have no year before in the run, so their per-report outcome said nothing. Each report's
cross-year outcome is in `cross_year_results` and on its page in the review app.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from gaibao_pipeline.checks.evaluations import cross_year_evaluation
from gaibao_pipeline.contracts.catalog import INVARIANTS
from gaibao_pipeline.contracts.cross_year import load_aliases
from gaibao_pipeline.db import refresh_cross_year, upgrade_schema
from gaibao_pipeline.orchestration.keys import CORE_REPORTS
from gaibao_pipeline.orchestration.resources import DatabaseResource, ReviewPagesResource

CROSS_YEAR = [i for i in INVARIANTS if i.scope == "cross_year"]
SPEC = dg.AssetCheckSpec(
    "cross_year",
    asset=CORE_REPORTS,
    description=(
        "Carried-over applications and documents in force agree with the same agency's previous year "
        "(one evaluation per run, over the run's reports and those of the year after)."
    ),
)


class AgencyAliasesResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """An optional CSV of agency renames (old name, new name) beyond the built-in ones."""

    path: str | None = None

    def aliases(self) -> dict[str, str]:
        return load_aliases(Path(self.path)) if self.path else {}


@dg.multi_asset_check(specs=[SPEC], name="cross_year_checks")
def cross_year(
    context: dg.AssetCheckExecutionContext,
    database: DatabaseResource,
    agency_aliases: AgencyAliasesResource,
    review_pages: ReviewPagesResource,
) -> Iterator[dg.AssetCheckResult]:
    """Carried-over applications and documents in force agree with the same agency's previous year."""
    engine = database.engine()
    upgrade_schema(engine)
    # a run of partitions checks the agencies of its reports; a run without any, every agency
    partitioned = context.has_partition_key_range or context.has_partition_key
    in_run = set(context.partition_keys) if partitioned else None
    refreshed = refresh_cross_year(engine, in_run, agency_aliases.aliases(), run_id=context.run.run_id)
    results = refreshed.results
    # the run's reports, and the reports whose predecessor is one of them
    touched = (
        set(results)
        if in_run is None
        else in_run
        | {k for k, checks in results.items() for c in checks if c.detail.get("previous_report_id") in in_run}
    )
    yield cross_year_evaluation(
        SPEC, CROSS_YEAR, sorted(touched), refreshed.reports, results, review_pages.report_url
    )
    context.log.info(
        f"cross-year: {len(touched)} reports checked, {sum(k in results for k in touched)} with a year "
        f"before; {refreshed.stored} outcomes stored"
    )
