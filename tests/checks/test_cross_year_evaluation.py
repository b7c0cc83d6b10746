"""The run's one `cross_year` evaluation, built from stored cross-year results: it fails when any
checked report fails, counts each invariant's outcomes over the reports, and lists every
failing report (the table up to its limit, all of them in `detail`).
"""

from __future__ import annotations

import dagster as dg

from gaibao_pipeline.checks.cross_year_checks import CROSS_YEAR, SPEC
from gaibao_pipeline.checks.evaluations import MAX_ROWS, cross_year_evaluation
from gaibao_pipeline.contracts.cross_year import YearReport
from gaibao_pipeline.report import CheckResult


def _carry(report_id: str, passed: bool) -> CheckResult:
    detail = {"col": "natural_person", "expected": 5, "actual": 5 if passed else 6}
    detail |= {"previous_report_id": f"{report_id}-before", "previous_year": 2021}
    return CheckResult("cross_year.carry", passed, "warning", detail, (("t3", "2", "natural_person"),))


def _url(report_id: str) -> str:
    return f"http://review.test/reports/{report_id}"


def _evaluate(checked: list[str], results: dict[str, list[CheckResult]]) -> dg.AssetCheckResult:
    reports = [YearReport(k, "某县人民政府", 2022, "2021", {}) for k in checked]
    return cross_year_evaluation(SPEC, CROSS_YEAR, checked, reports, results, _url)


def _values(result: dg.AssetCheckResult) -> dict[str, object]:
    return {k: getattr(v, "value", v) for k, v in result.metadata.items()}


def test_passes_when_no_report_fails_and_counts_reports_without_a_year_before() -> None:
    result = _evaluate(["a", "b", "c"], {"b": [_carry("b", True)]})
    metadata = _values(result)
    assert result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert (
        metadata["reports_checked"],
        metadata["reports_with_year_before"],
        metadata["reports_failed"],
    ) == (
        3,
        1,
        0,
    )
    rows = str(metadata["invariants"]).replace("\\", "").splitlines()
    assert "| cross_year.carry | warning | 1 | 0 | 0 | 2 |" in rows  # passed, failed, ..., not applicable
    assert "| cross_year.in_force | warning | 0 | 0 | 0 | 3 |" in rows
    assert "failures" not in metadata and "detail" not in metadata


def test_fails_listing_every_failing_report_with_its_link() -> None:
    checked = [f"r{i:03d}" for i in range(MAX_ROWS + 5)]
    results = {k: [_carry(k, False)] for k in checked} | {"r000": [_carry("r000", True)]}
    result = _evaluate(checked, results)
    metadata = _values(result)
    assert not result.passed
    assert metadata["reports_failed"] == len(checked) - 1
    assert metadata["failed_invariants"] == "cross_year.carry"
    detail = metadata["detail"]
    assert isinstance(detail, list) and len(detail) == len(checked) - 1  # all of them, beyond the table
    assert detail[0]["report_id"] == "r001" and detail[0]["review_app"] == _url("r001")
    assert (detail[0]["expected"], detail[0]["actual"]) == (5, 6)
    table = str(metadata["failures"])
    assert "r001" in table and "r000" not in table
    assert table.endswith(f"{len(checked) - 1 - MAX_ROWS} more in `detail`")
