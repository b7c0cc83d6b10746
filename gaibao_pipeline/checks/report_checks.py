"""Asset checks on each parsed report: the single-report invariants of spec §4, per partition."""

from collections.abc import Iterator

import dagster as dg

from gaibao_pipeline.checks.evaluations import evaluations
from gaibao_pipeline.contracts.catalog import INVARIANTS
from gaibao_pipeline.partitions import REPORTS
from gaibao_pipeline.report import CheckResult, Report
from gaibao_pipeline.resources import ReviewPagesResource
from gaibao_pipeline.review import write_review_page

CORE_REPORTS = dg.AssetKey("core_reports")
REPORT_INVARIANTS = [i for i in INVARIANTS if i.scope == "report"]
SPECS = [
    dg.AssetCheckSpec(i.check_name, asset=CORE_REPORTS, description=i.description, partitions_def=REPORTS)
    for i in REPORT_INVARIANTS
]


def _results(report: Report) -> list[CheckResult]:
    if report.ok:
        return report.checks
    # a file that yielded no report is incomplete, whatever else could be said of it
    detail = {"problems": [f"no report: {report.status.value}: {report.message}"]}
    return [CheckResult("report.complete", False, "warning", detail)]


@dg.multi_asset_check(specs=SPECS, name="report_invariants")
def report_invariants(
    context: dg.AssetCheckExecutionContext,
    core_reports: dict[str, Report],
    review_pages: ReviewPagesResource,
) -> Iterator[dg.AssetCheckEvaluation | dg.Output]:  # type: ignore[type-arg]
    """The 勾稽 identities, value domains, completeness, timeliness and narrative agreement per report."""
    root = review_pages.root()
    failing = 0
    for key, report in core_reports.items():
        results = _results(report)
        page = None
        if any(r.passed is False for r in results):
            failing += 1
            page = write_review_page(root, key, report)
        yield from evaluations(CORE_REPORTS, REPORT_INVARIANTS, key, report, results, page)
    context.log.info(f"checked {len(core_reports)} reports; {failing} with failures (review pages in {root})")
    # each check's output is the run's record that it ran; the outcomes are the evaluations above
    for spec in SPECS:
        yield dg.Output(None, output_name=spec.get_python_identifier())
