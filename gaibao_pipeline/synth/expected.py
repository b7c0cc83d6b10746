"""What a parser should recover from a generated report, as JSON, and how close a parse came.

The corpus writes one record per report (`expected/<stem>.json`); a benchmark or test
compares a parsed `Report` with it cell by cell, so speed is never measured without accuracy.
Cells are held generically as (table, row, col, value): a legacy form's rows are its printed
codes ("01") or, on an uncoded form, its labels as printed, as the parser keys them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gaibao_pipeline.report import Report
from gaibao_pipeline.synth.values import SynthReport

SCHEMA = "gaibao.synth.expected/1"
META_FIELDS = ("agency", "year", "template", "report_date")
TOLERANCE = 1e-6  # amounts are printed with at most 4 decimals


def expected_record(
    report: SynthReport, *, file: str, format: str, variant: str, shows_published_at: bool
) -> dict[str, Any]:
    """The JSON record of the values a file was built from."""
    return {
        "schema": SCHEMA,
        "file": file,
        "format": format,
        "variant": variant,
        "agency": report.agency,
        "year": report.year,
        "template": report.template,
        "report_date": report.report_date.isoformat(),
        "published_at": report.published_at.isoformat()
        if shows_published_at and report.published_at
        else None,
        "cells": [[table, row, col, value] for (table, row, col), value in report.cells.items()],
    }


@dataclass(frozen=True, slots=True)
class Score:
    """Cells and metadata fields parsed right, out of those expected."""

    cells_right: int
    cells_total: int
    meta_right: int
    meta_total: int
    wrong: tuple[str, ...]  # the first few mismatches, for a reader of the benchmark output

    @property
    def perfect(self) -> bool:
        return self.cells_right == self.cells_total and self.meta_right == self.meta_total


def _same(want: Any, got: Any) -> bool:
    if want is None or got is None:
        return want is None and got is None
    return abs(float(got) - float(want)) < TOLERANCE


def score(expected: Mapping[str, Any], report: Report, *, keep: int = 5) -> Score:
    """Compare a parsed report with its expected record; a failed parse scores 0 cells right."""
    missing = object()
    got = {c.key: c.value for c in report.cells}
    wrong: list[str] = []
    right = 0
    for table, row, col, want in expected["cells"]:
        value = got.get((table, row, col), missing)
        if value is not missing and _same(want, value):
            right += 1
        elif len(wrong) < keep:
            wrong.append(
                f"{table} {row} {col}: expected {want!r}, parsed {'missing' if value is missing else value!r}"
            )
    meta = report.report
    meta_right = 0
    for name in META_FIELDS:
        if getattr(meta, name) == expected[name]:
            meta_right += 1
        elif len(wrong) < keep:
            wrong.append(f"{name}: expected {expected[name]!r}, parsed {getattr(meta, name)!r}")
    return Score(right, len(expected["cells"]), meta_right, len(META_FIELDS), tuple(wrong))
