"""The 勾稽 identities and the blank-total rule of spec §4."""

from __future__ import annotations

from gaibao_pipeline.codes import T3_COL_CODES, t3_rows
from gaibao_pipeline.contracts.identities import count_violations, evaluate, t3_identities, t4_identities
from gaibao_pipeline.report import CellKey, Number

ROWS = [r.code for r in t3_rows(split_other=False)]


def consistent_t3() -> dict[CellKey, Number | None]:
    """Seven applications from natural persons: 5 disclosed, 1 not held, 1 carried forward."""
    values: dict[CellKey, Number | None] = {("t3", r, c): 0 for r in ROWS for c in T3_COL_CODES}
    for row, n in (("1", 7), ("3.1", 5), ("3.4.1", 1), ("3.7", 6), ("4", 1)):
        values[("t3", row, "natural_person")] = n
        values[("t3", row, "total")] = n
    return values


def outcomes(values: dict[CellKey, Number | None], check: str) -> list[bool | None]:
    return [e.passed for e in evaluate(values, t3_identities(False)) if e.identity.check == check]


def test_consistent_table_passes_everything() -> None:
    values = consistent_t3()
    assert all(e.passed for e in evaluate(values, t3_identities(False)))


def test_balance_failure_is_per_column() -> None:
    values = consistent_t3()
    values[("t3", "4", "natural_person")] = 2
    values[("t3", "4", "total")] = 2
    assert outcomes(values, "t3.balance").count(False) == 2  # natural_person and total columns


def test_blank_total_row_is_derived_and_its_defining_identity_not_evaluable() -> None:
    values = consistent_t3()
    for col in T3_COL_CODES:
        values[("t3", "3.7", col)] = None
    assert set(outcomes(values, "t3.results_sum")) == {None}
    assert all(outcomes(values, "t3.balance"))  # uses the derived 3.7 row


def test_blank_cells_count_as_zero() -> None:
    values = consistent_t3()
    values[("t3", "3.2", "research")] = None
    assert all(e.passed for e in evaluate(values, t3_identities(False)))


def test_blank_row_total_only_affects_its_row() -> None:
    values = consistent_t3()
    values[("t3", "3.1", "total")] = None
    row_totals = [e for e in evaluate(values, t3_identities(False)) if e.identity.check == "t3.row_total"]
    assert [e.passed for e in row_totals if e.identity.scope == (("row", "3.1"),)] == [None]
    assert all(e.passed for e in row_totals if e.identity.scope != (("row", "3.1"),))


def test_t4_block_total() -> None:
    values: dict[CellKey, Number | None] = {
        ("t4", "review", "upheld"): 10,
        ("t4", "review", "corrected"): 1,
        ("t4", "review", "total"): 0,  # 洪泽区 2023 printed 0 beside 10 and 1
    }
    results = evaluate(values, t4_identities())
    review = next(e for e in results if e.identity.scope == (("row", "review"),))
    assert review.passed is False and review.expected == 11 and review.actual == 0


def test_violations_count_blank_totals_as_zero() -> None:
    # for choosing readings, a blank total must not look consistent
    values = consistent_t3()
    values[("t3", "1", "total")] = None
    assert count_violations(values, t3_identities(False)) > 0
