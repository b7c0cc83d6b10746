"""A check result explained: which of its cells to show a person, and where each came from.

Shared by everything that shows a failed check (the terminal review, the review pages, the
Dagster check metadata), so all of them point at the same cells in the same words.
"""

from __future__ import annotations

from gaibao_pipeline.report import CellKey, CheckResult, ReportCell


def where_text(cell: ReportCell) -> str:
    """A cell's origin in words: page, table, grid slot, line; or that it was inferred."""
    if cell.inferred:
        return "inferred from the identities"
    if cell.where is None:
        return "not in the document"
    parts = []
    w = cell.where
    if w.page is not None:
        parts.append(f"page {w.page}")
    if w.table_index is not None:
        parts.append(f"table {w.table_index + 1}")
    if w.row is not None and w.col is not None:
        parts.append(f"row {w.row + 1} col {w.col + 1}")
    if w.line is not None:
        parts.append(f"line {w.line}")
    return ", ".join(parts) or "unknown"


def shown_cells(check: CheckResult, cells: dict[CellKey, ReportCell]) -> list[ReportCell]:
    """The cells worth showing: every total involved, then the parts that hold a number.

    Totals first: the printed total is what a failed identity is usually about (洪泽 2023's
    行政复议 总计 0 beside 10 + 1), so it leads wherever the list is cut short.
    """
    totals = [key for key in check.cells if key[2] == "total" or key[1] in ("3.7", "4")]
    parts = [key for key in check.cells if key not in totals]
    shown = []
    for key in totals + parts:
        cell = cells.get(key)
        if cell is not None and (key in totals or cell.inferred or cell.value not in (None, 0)):
            shown.append(cell)
    return shown
