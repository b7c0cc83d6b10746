"""The one `report_checks` evaluation of a report, built from its parts: a table contract that
blocks loading fails it with ERROR, a warning alone with WARN; every invariant's outcome is in
its table (not evaluable with why, not applicable); a missing file has no rows to check."""

from __future__ import annotations

import dagster as dg

from gaibao_pipeline.checks.report_checks import report_evaluation
from gaibao_pipeline.contracts.schemas import SchemaFailure
from gaibao_pipeline.db import LoadResult
from gaibao_pipeline.errors import Status
from gaibao_pipeline.report import CheckResult, Report, SourceInfo


def _report(*checks: CheckResult) -> Report:
    report = Report(SourceInfo("a.txt", "0" * 64, "text", 10))
    report.report.agency, report.report.year, report.report.template = "某某县人民政府", 2023, "2021"
    report.checks = list(checks)
    return report


def _loaded(*failures: SchemaFailure, refused: str | None = None) -> LoadResult:
    return LoadResult("r1", "invalid" if refused else "ok", {}, 0, 0, False, failures, refused)


def _shown(evaluation: dg.AssetCheckEvaluation) -> str:
    return str(evaluation.metadata["invariants"].value).replace("\\", "")


def test_a_blocking_contract_fails_the_report_with_error() -> None:
    failure = SchemaFailure("cells_t3", "row_code", "isin", "9.9")
    assert failure.blocking
    report = _report(CheckResult("t3.balance", True, "error"))
    evaluation = report_evaluation("r1", report, report, _loaded(failure, refused="cells_t3.row_code"))
    metadata = {k: v.value for k, v in evaluation.metadata.items()}
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert metadata["failed_invariants"] == "table_contracts"
    assert "| table_contracts | error | failed (1 of 1) | refused: cells_t3.row_code |" in _shown(evaluation)
    assert "row\\_code" in str(metadata["contracts"])
    assert metadata["detail"] == [{"id": "table_contracts", **failure.to_dict()}]


def test_a_failed_warning_alone_is_a_warn_and_outcomes_say_why_not_evaluated() -> None:
    report = _report(
        CheckResult("t3.balance", None, "error", {"reason": "total left blank"}),
        CheckResult("report.timely", False, "warning", {"expected": "2024-03-31", "actual": "2024-05-06"}),
    )
    evaluation = report_evaluation("r1", report, report, _loaded(), review_url="http://x/reports/r1")
    shown = _shown(evaluation)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "| t3.balance | error | not evaluable | total left blank |" in shown
    assert "| report.timely | warning | failed (1 of 1) |" in shown
    assert "| t4.block_total | error | not applicable |" in shown
    failures = str(evaluation.metadata["failures"].value)
    assert "2024\\-03\\-31" in failures and "2024\\-05\\-06" in failures  # expected against found
    assert evaluation.metadata["review_app"].value == "http://x/reports/r1"


def test_a_missing_file_has_no_rows_to_check_and_no_report() -> None:
    parsed = Report(SourceInfo("gone.txt", "", "", 0))
    parsed.status, parsed.message = Status.UNREADABLE, "no file in the landing folder has this report id"
    evaluation = report_evaluation("r1", parsed, parsed, None)
    shown = _shown(evaluation)
    assert "| table_contracts | error | not applicable | not loaded: no rows |" in shown
    assert "| report.complete | warning | failed (1 of 1) |" in shown  # no report, whatever else
