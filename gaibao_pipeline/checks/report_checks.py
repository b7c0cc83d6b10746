"""`report_checks`: one check on core_reports, evaluated once per report partition after its load.

Evaluated by the per-report step (`assets.core`) as each report's chunk is loaded: the
single-report invariants of spec §4 as the parser found them, `renditions.agree` (once the
renditions of a fetched article have been chosen among) and the pandera table contracts of
the rows the loader wrote (the rows are validated once, by the loader, which refuses a
report whose rows break a blocking contract and records it `invalid`). One evaluation
carries all of them (`evaluations`): the report fails when any failed, with ERROR when one of
error severity (or a blocking contract) did.
"""

from pathlib import Path

import dagster as dg

from gaibao_pipeline.checks.evaluations import Contracts, evaluation
from gaibao_pipeline.contracts.catalog import INVARIANTS
from gaibao_pipeline.db import LoadResult
from gaibao_pipeline.orchestration.keys import CORE_REPORTS
from gaibao_pipeline.orchestration.partitions import REPORTS
from gaibao_pipeline.report import CheckResult, Report

INVARIANTS_CHECKED = [i for i in INVARIANTS if i.scope in ("report", "renditions")]
_RENDITIONS = {i.id for i in INVARIANTS if i.scope == "renditions"}
SPEC = dg.AssetCheckSpec(
    "report_checks",
    asset=CORE_REPORTS,
    description=(
        "The report's 勾稽 identities, value domains, completeness, timeliness, narrative, renditions "
        "and table contracts (spec §4): fails when any fails, ERROR when one of error severity does."
    ),
    partitions_def=REPORTS,
)


def _results(parsed: Report, loaded: Report) -> list[CheckResult]:
    """The parsed report's invariants, and the renditions' agreement judged when it was loaded."""
    renditions = [c for c in loaded.checks if c.id in _RENDITIONS]
    if parsed.ok:
        return [*parsed.checks, *renditions]
    # a file that yielded no report is incomplete, whatever else could be said of it
    detail = {"problems": [f"no report: {parsed.status.value}: {parsed.message}"]}
    return [CheckResult("report.complete", False, "warning", detail), *renditions]


def report_evaluation(
    partition: str,
    parsed: Report,
    loaded: Report,
    result: LoadResult | None,
    review_page: Path | None = None,
    review_url: str | None = None,
) -> dg.AssetCheckEvaluation:
    """One report's evaluation: `parsed` as read, `loaded` as loaded, `result` None when its file is gone."""
    contracts = (
        Contracts(result.contract_failures, refused=result.refused)
        if result is not None
        else Contracts((), loaded=False)
    )
    return evaluation(
        SPEC,
        INVARIANTS_CHECKED,
        partition,
        parsed,
        _results(parsed, loaded),
        contracts=contracts,
        review_page=review_page,
        review_url=review_url,
    )
