"""pandera models of every loaded table: types, nullability, allowed codes, ranges.

Structural contracts block loading: a row that breaks one would corrupt the tables (an
unknown code, a duplicate cell, a text where a number belongs, a value no report can hold).
Range contracts (a count below zero or with decimals) describe the document's own numbers:
such rows load, and the failure is reported, like the 勾稽关系 the invariants check.
Validation is lazy, so every failure of a report is listed, not just the first.

The bounds (`MAX_COUNT`, `MAX_AMOUNT`) are structural: a count of 10^30 is a misread, not a
statistic, and it would load as a float on SQLite but overflow NUMERIC on PostgreSQL. Refused
here, the report is `invalid` with the cell named, the same on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from gaibao_pipeline.codes import (
    LEGACY_COLS,
    T2_COLS,
    T2_ROWS,
    T3_COL_CODES,
    T4_COL_CODES,
    T4_ROWS,
    cell_codes,
    legacy_kind,
    t3_rows,
)
from gaibao_pipeline.contracts.catalog import INVARIANTS
from gaibao_pipeline.errors import Status

# China has 1.4 × 10^9 people: no count of requests, cases or documents comes near 10^9 (so a
# change between years cannot either); amounts are 万元, and 10^12 万元 is beyond any budget.
# Both stay far inside the tables' NUMERIC(20, 6).
MAX_COUNT = 10**9
MAX_AMOUNT = 10**12

STATUSES = [s.value for s in Status]
TEMPLATES = ["2019", "2021", "legacy"]
CHECK_IDS = [invariant.id for invariant in INVARIANTS]
_T2_ROWS = sorted({r.code for rows in T2_ROWS.values() for r in rows})
_T3_ROWS = sorted({r.code for split in (False, True) for r in t3_rows(split)})
_T4_ROWS = [r.code for r in T4_ROWS]


class _Strict(pa.DataFrameModel):
    class Config:
        strict = "filter"  # columns beyond the model are not validated, and do not fail
        coerce = True


class SourceFiles(_Strict):
    report_id: Series[str] = pa.Field(str_matches=r"^[\x21-\x7e]{1,64}$", unique=True)
    source_path: Series[str]
    file_name: Series[str]
    sha256: Series[str] = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{64}$")
    size_bytes: Series[float] = pa.Field(nullable=True, ge=0)
    status: Series[str] = pa.Field(isin=STATUSES)
    error_message: Series[str] = pa.Field(nullable=True)


# The longest real agency names are under 40 characters; the column is indexed, and PostgreSQL
# refuses an index row over 8 KB, which a misread title could exceed.
MAX_AGENCY_CHARS = 200


class Reports(_Strict):
    report_id: Series[str] = pa.Field(unique=True)
    agency: Series[str] = pa.Field(nullable=True, str_length={"max_value": MAX_AGENCY_CHARS})
    year: Series[float] = pa.Field(nullable=True, ge=1990, le=2100)
    template: Series[str] = pa.Field(nullable=True, isin=TEMPLATES)
    status: Series[str] = pa.Field(isin=STATUSES)
    n_cells: Series[int] = pa.Field(ge=0)
    n_checks: Series[int] = pa.Field(ge=0)
    n_checks_failed: Series[int] = pa.Field(ge=0)


class Sections(_Strict):
    report_id: Series[str]
    no: Series[int] = pa.Field(ge=1, le=6)
    title: Series[str]


class _Cells(_Strict):
    report_id: Series[str]
    row_code: Series[str]
    col_code: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    raw_text: Series[str] = pa.Field(nullable=True)
    inferred: Series[bool]
    page: Series[float] = pa.Field(nullable=True, ge=1)

    @pa.dataframe_check
    @classmethod
    def one_row_per_cell(cls, df: pd.DataFrame) -> Series[bool]:
        return cast("Series[bool]", ~df.duplicated(subset=["report_id", "row_code", "col_code"], keep=False))


def _whole(value: pd.Series) -> pd.Series:
    return value.isna() | (value == value.round())


def _bounded(value: pd.Series, bound: float | pd.Series) -> pd.Series:
    """Absent, or a finite number no larger (in size) than `bound`."""
    return value.isna() | (value.abs() <= bound)


class _CountCells(_Cells):
    """Cells of tables that hold only counts: whole numbers, never negative."""

    value: Series[float] = pa.Field(nullable=True, ge=0)

    @pa.check("value")
    @classmethod
    def whole(cls, value: Series[float]) -> Series[bool]:
        return cast("Series[bool]", _whole(value))

    @pa.check("value", name=f"a count at most {MAX_COUNT:.0e}")
    @classmethod
    def count_bound(cls, value: Series[float]) -> Series[bool]:
        return cast("Series[bool]", _bounded(value, MAX_COUNT))


class CellsT2(_Cells):
    row_code: Series[str] = pa.Field(isin=_T2_ROWS)
    col_code: Series[str] = pa.Field(isin=sorted(T2_COLS))

    @pa.dataframe_check
    @classmethod
    def counts_are_whole_and_not_negative(cls, df: pd.DataFrame) -> Series[bool]:
        kind = df["col_code"].map(lambda c: T2_COLS[c].kind if c in T2_COLS else "count")
        value = pd.to_numeric(df["value"], errors="coerce")
        whole = _whole(value)
        not_negative = value.isna() | (value >= 0)
        ok = (
            (kind == "change") & whole
            | (kind == "amount") & not_negative
            | (kind == "count") & whole & not_negative
        )
        return cast("Series[bool]", ok)

    @pa.dataframe_check(name=f"a count at most {MAX_COUNT:.0e}, an amount at most {MAX_AMOUNT:.0e}")
    @classmethod
    def value_bound(cls, df: pd.DataFrame) -> Series[bool]:
        kind = df["col_code"].map(lambda c: T2_COLS[c].kind if c in T2_COLS else "count")
        bound = kind.map(lambda k: MAX_AMOUNT if k == "amount" else MAX_COUNT)
        return cast("Series[bool]", _bounded(pd.to_numeric(df["value"], errors="coerce"), bound))


class CellsT3(_CountCells):
    row_code: Series[str] = pa.Field(isin=_T3_ROWS)
    col_code: Series[str] = pa.Field(isin=list(T3_COL_CODES))


class CellsT4(_CountCells):
    row_code: Series[str] = pa.Field(isin=_T4_ROWS)
    col_code: Series[str] = pa.Field(isin=list(T4_COL_CODES))


class CellsLegacy(_Cells):
    """Legacy form cells: a canonical code of spec §2, or the label of an indicator no code names.

    A bare number is no row key (the form's printed code is `raw_code`), so such a row means
    the parser lost its way. Counts under a canonical code are whole; amounts are 万元.
    """

    row_code: Series[str] = pa.Field(str_matches=r"^(?!\d{1,3}$)\S+$")
    col_code: Series[str] = pa.Field(isin=list(LEGACY_COLS))
    value: Series[float] = pa.Field(nullable=True, ge=0)
    raw_label: Series[str] = pa.Field(nullable=True)
    raw_code: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{1,3}$")

    @pa.dataframe_check
    @classmethod
    def counts_are_whole(cls, df: pd.DataFrame) -> Series[bool]:
        kind = df["row_code"].map(legacy_kind)
        value = pd.to_numeric(df["value"], errors="coerce")
        return cast("Series[bool]", (kind != "count") | _whole(value))

    # legacy indicators mix counts and amounts: the amount bound holds for both
    @pa.check("value", name=f"at most {MAX_AMOUNT:.0e}")
    @classmethod
    def value_bound(cls, value: Series[float]) -> Series[bool]:
        return cast("Series[bool]", _bounded(value, MAX_AMOUNT))


class CheckResults(_Strict):
    report_id: Series[str]
    seq: Series[int] = pa.Field(ge=1)
    check_id: Series[str] = pa.Field(isin=CHECK_IDS)
    passed: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    severity: Series[str] = pa.Field(isin=["error", "warning"])


MODELS: dict[str, type[_Strict]] = {
    "source_files": SourceFiles,
    "reports": Reports,
    "sections": Sections,
    "cells_t2": CellsT2,
    "cells_t3": CellsT3,
    "cells_t4": CellsT4,
    "cells_legacy": CellsLegacy,
    "check_results": CheckResults,
}


# Range checks describe the document's numbers, not the table's soundness: a negative count
# printed in a report is loaded (and flagged by values.domain), never refused.
_RANGE_CHECKS = ("greater_than", "less_than", "in_range", "whole", "counts_are_whole")


@dataclass(frozen=True, slots=True)
class SchemaFailure:
    """One failed contract: which table, column, check, and the offending value and row."""

    table: str
    column: str | None
    check: str
    failure_case: Any
    row: dict[str, Any] | None = None

    @property
    def blocking(self) -> bool:
        """Whether loading this row would corrupt the tables (wrong codes, types, duplicates)."""
        return not (self.column in ("value", "year") and self.check.startswith(_RANGE_CHECKS)) and not (
            self.check.startswith("counts_are_whole")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "column": self.column,
            "check": self.check,
            "value": self.failure_case,
            "row": self.row,
        }


def validate_table(table: str, rows: Iterable[dict[str, Any]]) -> list[SchemaFailure]:
    """Every contract failure of these rows of `table` (lazy validation: all, not the first)."""
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return []
    try:
        MODELS[table].validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return [_failure(table, case, frame) for case in errors.failure_cases.to_dict("records")]
    return []


def template_cells(table_rows: dict[str, list[dict[str, Any]]], template: str | None) -> list[SchemaFailure]:
    """Cells whose (row, col) the report's template does not define."""
    if template not in ("2019", "2021"):
        return []
    allowed = {(t, r, c) for split in (False, True) for t, r, c in cell_codes(template, split)}
    failures = []
    for table in ("t2", "t3", "t4"):
        for row in table_rows.get(table, []):
            if (table, row["row_code"], row["col_code"]) not in allowed:
                failures.append(
                    SchemaFailure(
                        f"cells_{table}",
                        "row_code",
                        f"defined by template {template}",
                        row["row_code"],
                        _plain(row),
                    )
                )
    return failures


def _failure(table: str, case: dict[str, Any], frame: pd.DataFrame) -> SchemaFailure:
    index = case.get("index")
    row = _plain(frame.loc[index].to_dict()) if index is not None and index in frame.index else None
    column = case.get("column")
    return SchemaFailure(
        table,
        str(column) if column is not None else None,
        str(case.get("check")),
        _scalar(case.get("failure_case")),
        row,
    )


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: _scalar(v)
        for k, v in row.items()
        if k in ("report_id", "row_code", "col_code", "value", "raw_text", "check_id")
    }


def _scalar(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value
