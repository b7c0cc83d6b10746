"""Building rows: NUL characters are removed from every string however deeply nested, and
check details become plain JSON (tuples as lists, keys as text, NaN and other objects as
text), while numbers, booleans, dates and None pass through unchanged."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from gaibao_pipeline.db.engine import jsonable
from gaibao_pipeline.db.rows import report_rows
from gaibao_pipeline.report import CheckResult
from tests.db.conftest import hongze_report


class Colour(StrEnum):
    RED = "red"


def test_jsonable() -> None:
    detail = {
        "row": "3.1",
        "expected": 11,
        "ok": True,
        "none": None,
        1: ("t3", "1", "total"),  # a non-text key and a tuple
        "nested": [{"cell": ("t3", "4", "other"), "value": 2.5}, [Decimal("1.5"), math.nan]],
        "enum": Colour.RED,
    }
    assert jsonable(detail) == {
        "row": "3.1",
        "expected": 11,
        "ok": True,
        "none": None,
        "1": ["t3", "1", "total"],
        "nested": [{"cell": ["t3", "4", "other"], "value": 2.5}, ["1.5", "nan"]],
        "enum": "red",
    }
    assert jsonable(("a", 1)) == ["a", 1] and jsonable(math.inf) == "inf" and jsonable("x") == "x"


def test_nul_is_removed_everywhere_and_other_values_pass_through() -> None:
    report = hongze_report()
    check = CheckResult(
        "t3.balance", False, "error", {"note": "a\x00b", "involved": [{"raw": "1\x002", "value": 12}]}
    )
    report = replace(report, checks=[check], warnings=["stray\x00 NUL"])
    report.cells[0] = replace(report.cells[0], raw="3\x00", note="注\x00")
    at = datetime(2024, 3, 1, tzinfo=UTC)
    rows = report_rows(report, report_id="r1", source_path="a/b\x00.pdf", run_id="run", loaded_at=at)
    assert rows.checks[0]["detail"] == {"note": "ab", "involved": [{"raw": "12", "value": 12}]}
    assert rows.report["warnings"] == ["stray NUL"]
    first = rows.cells[report.cells[0].table][0]
    assert first["raw_text"] == "3" and first["note"] == "注"
    assert rows.source_file["source_path"] == "a/b.pdf"
    assert rows.report["loaded_at"] is at and isinstance(rows.report["report_date"], date)
    assert rows.checks[0]["passed"] is False and rows.report["n_checks_failed"] == 1
    assert all(isinstance(r["value"], int | float | None) for cells in rows.cells.values() for r in cells)
