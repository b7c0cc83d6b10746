"""The single-report invariants of spec §4 as check evaluations on core_reports, per partition.

Evaluated by the per-report step (`assets.per_report`) as each report is parsed, with a
review page written for every report with a failure; `renditions.agree` when the report is
loaded, once the renditions of a fetched article have been chosen among.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from gaibao_pipeline.checks.evaluations import evaluations
from gaibao_pipeline.contracts.catalog import INVARIANTS
from gaibao_pipeline.orchestration.keys import CORE_REPORTS
from gaibao_pipeline.orchestration.partitions import REPORTS
from gaibao_pipeline.report import CheckResult, Report

REPORT_INVARIANTS = [i for i in INVARIANTS if i.scope == "report"]
RENDITION_INVARIANTS = [i for i in INVARIANTS if i.scope == "renditions"]
SPECS = [
    dg.AssetCheckSpec(i.check_name, asset=CORE_REPORTS, description=i.description, partitions_def=REPORTS)
    for i in (*REPORT_INVARIANTS, *RENDITION_INVARIANTS)
]


def _results(report: Report) -> list[CheckResult]:
    if report.ok:
        return report.checks
    # a file that yielded no report is incomplete, whatever else could be said of it
    detail = {"problems": [f"no report: {report.status.value}: {report.message}"]}
    return [CheckResult("report.complete", False, "warning", detail)]


def invariant_evaluations(
    partition: str, report: Report, review_page: Path | None = None, review_url: str | None = None
) -> Iterator[dg.AssetCheckEvaluation]:
    """勾稽 identities, value domains, completeness, timeliness and narrative agreement of one report."""
    results = _results(report)
    yield from evaluations(
        CORE_REPORTS, REPORT_INVARIANTS, partition, report, results, review_page, review_url
    )


def rendition_evaluations(partition: str, loaded: Report) -> Iterator[dg.AssetCheckEvaluation]:
    """The loaded rendition of a report against its other renditions (none when it has no other)."""
    yield from evaluations(CORE_REPORTS, RENDITION_INVARIANTS, partition, loaded, loaded.checks)
