"""The pandera contract of `cells_legacy`: canonical codes and the labels of indicators no code
names load; a bare number as a row key (the form's printed code where its meaning belongs)
is refused; a count under a canonical code that is not whole is reported, not refused."""

from __future__ import annotations

from typing import Any

from gaibao_pipeline.contracts.schemas import validate_table


def _row(row: str, value: float | None, raw_code: str | None = None) -> dict[str, Any]:
    return {
        "report_id": "rlegacy",
        "row_code": row,
        "col_code": "period",
        "value": value,
        "raw_text": None if value is None else str(value),
        "inferred": False,
        "page": None,
        "raw_label": "受理依申请公开信息总数",
        "raw_code": raw_code,
    }


def test_canonical_codes_and_labels_load() -> None:
    rows = [_row("requests_total", 12, "19"), _row("政务微博发布信息数", 30), _row("fees_total", 0.00125)]
    assert validate_table("cells_legacy", rows) == []


def test_a_printed_code_as_row_key_is_refused() -> None:
    failures = validate_table("cells_legacy", [_row("19", 12)])
    assert failures and all(f.blocking for f in failures)
    assert {f.column for f in failures} == {"row_code"}


def test_a_count_with_decimals_is_reported_not_refused() -> None:
    failures = validate_table("cells_legacy", [_row("requests_total", 12.5)])
    assert failures and not any(f.blocking for f in failures)
