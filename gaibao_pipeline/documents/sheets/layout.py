"""One sheet's cells into blocks: title and note rows as paragraphs, the tables as grids.

A statistics workbook puts its title ("某某局2023年政府信息公开工作年度报告统计表"), the
unit and the filer in rows of one cell above and below its tables, and leaves empty rows
between tables. So a sheet is cut into blocks at empty rows; in each block the rows of a
single cell before the first and after the last row of several cells are paragraphs (what
the parser reads the agency, year and date from), the rows between them one grid. A merged
range is one cell with its spans at its top-left slot, as every reader gives it.

Provenance: `page` is the sheet's number (1-based, in workbook order), `line` the sheet row
(1-based, as the spreadsheet shows it), `row`/`col` the slot in the grid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from gaibao_pipeline.model import Block, Cell, Grid, Paragraph, Provenance

Merge = tuple[tuple[int, int], tuple[int, int]]
Value = int | float | str | bool | dt.date | dt.datetime | dt.time | dt.timedelta


def cell_text(value: Value) -> str:
    """A cell's value as text: numbers as printed (`12`, not `12.0`), dates in ISO form."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"  # no binary noise such as 0.30000000000000004
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class _Slot:
    text: str
    rowspan: int = 1
    colspan: int = 1


def _slots(rows: Sequence[Sequence[Value]], merges: Sequence[Merge]) -> dict[tuple[int, int], _Slot]:
    """Cells with text or spans, by (row, col); slots a merge covers are left out."""
    covered: set[tuple[int, int]] = set()
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for (r0, c0), (r1, c1) in merges:
        if r1 < r0 or c1 < c0:
            continue
        spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
        covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0))
    slots: dict[tuple[int, int], _Slot] = {}
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            text = cell_text(value).strip() if value is not None else ""
            if (r, c) in covered or (not text and (r, c) not in spans):
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            slots[(r, c)] = _Slot(text, rowspan, colspan)
    for (r, c), (rowspan, colspan) in spans.items():  # a merge over empty cells still draws a box
        slots.setdefault((r, c), _Slot("", rowspan, colspan))
    return slots


def sheet_blocks(
    rows: Sequence[Sequence[Value]], merges: Sequence[Merge], sheet_number: int, first_grid: int
) -> list[Block]:
    """The sheet's paragraphs and grids in reading order; grids numbered from `first_grid`."""
    slots = _slots(rows, merges)
    texts_by_row: dict[int, list[int]] = {}
    for (r, c), slot in slots.items():
        if slot.text:
            texts_by_row.setdefault(r, []).append(c)
    # rows a merged cell reaches down into are part of its block, even when empty
    reach = {r + k for (r, _c), slot in slots.items() if slot.text for k in range(slot.rowspan)}
    blocks: list[Block] = []
    for start, end in _runs(sorted(reach)):
        blocks += _block(slots, texts_by_row, start, end, sheet_number, first_grid + _grids(blocks))
    return blocks


def _grids(blocks: list[Block]) -> int:
    return sum(1 for b in blocks if isinstance(b, Grid))


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and r == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


def _block(
    slots: dict[tuple[int, int], _Slot],
    texts_by_row: dict[int, list[int]],
    start: int,
    end: int,
    sheet_number: int,
    grid_index: int,
) -> list[Block]:
    tabular = [r for r in range(start, end + 1) if len(texts_by_row.get(r, [])) >= 2]
    if not tabular:
        return [
            _paragraph(slots, texts_by_row, r, sheet_number)
            for r in range(start, end + 1)
            if r in texts_by_row
        ]
    top, bottom = tabular[0], tabular[-1]
    # a label merged down beside the first tabular row starts the table with it
    top = min([top, *(r for (r, _c), s in slots.items() if start <= r < top and r + s.rowspan > top)])
    before = [
        _paragraph(slots, texts_by_row, r, sheet_number) for r in range(start, top) if r in texts_by_row
    ]
    after = [
        _paragraph(slots, texts_by_row, r, sheet_number)
        for r in range(bottom + 1, end + 1)
        if r in texts_by_row
    ]
    return [*before, _grid(slots, top, bottom, sheet_number, grid_index), *after]


def _paragraph(
    slots: dict[tuple[int, int], _Slot], texts_by_row: dict[int, list[int]], row: int, sheet_number: int
) -> Paragraph:
    text = " ".join(slots[(row, c)].text for c in sorted(texts_by_row[row]))
    return Paragraph(text, Provenance(page=sheet_number, line=row + 1))


def _grid(slots: dict[tuple[int, int], _Slot], top: int, bottom: int, sheet_number: int, index: int) -> Grid:
    """Rows `top`..`bottom` as a grid: every slot a cell, empty ones too (a blank is no lost cell)."""
    inside = {(r, c): s for (r, c), s in slots.items() if top <= r <= bottom}
    first_col = min(c for _r, c in inside)
    last_col = max(c + s.colspan - 1 for (_r, c), s in inside.items())
    covered = {
        (r + dr, c + dc)
        for (r, c), slot in inside.items()
        for dr in range(min(slot.rowspan, bottom - r + 1))
        for dc in range(slot.colspan)
    }
    for r in range(top, bottom + 1):
        for c in range(first_col, last_col + 1):
            if (r, c) not in covered:
                inside[(r, c)] = _Slot("")
    cells = []
    for (r, c), slot in sorted(inside.items()):
        row, col = r - top, c - first_col
        where = Provenance(page=sheet_number, table_index=index, row=row, col=col, line=r + 1)
        cells.append(Cell(row, col, slot.text, min(slot.rowspan, bottom - r + 1), slot.colspan, where))
    return Grid(cells, index=index)
