"""Where each canonical cell sits in the official tables: one layout for every builder.

Both builders print tables 二, 三 and 四 as the template does, as the document's tables
0, 1 and 2. `cell_positions` maps each (table, row, col) code to its grid slot there, so a
test or benchmark can check a reader's grids against the values a report was built from.
"""

from __future__ import annotations

from gaibao_pipeline.codes import T2_ROWS, T3_COL_CODES, T4_COL_CODES, T4_ROWS, t3_rows
from gaibao_pipeline.model import Provenance

CellKey = tuple[str, str, str]

T2_WIDTH = 4  # table 二 is four grid columns wide; a shorter block stretches its last cell
T3_HEADER_ROWS = 3
T3_LABEL_COLS = 3
T4_HEADER_ROWS = 3

# Table 二 block by block: the heading row, the column headers, the rows (by code).
T2_BLOCKS: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = {
    "2021": (
        ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), ("rules", "normative_docs")),
        ("第二十条第（五）项", ("本年处理决定数量",), ("licensing",)),
        ("第二十条第（六）项", ("本年处理决定数量",), ("penalty", "enforcement")),
        ("第二十条第（八）项", ("本年收费金额（单位：万元）",), ("fees",)),
    ),
    "2019": (
        (
            "第二十条第（一）项",
            ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
            ("rules", "normative_docs"),
        ),
        (
            "第二十条第（五）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            ("licensing", "other_services"),
        ),
        ("第二十条第（六）项", ("上一年项目数量", "本年增/减", "处理决定数量"), ("penalty", "enforcement")),
        ("第二十条第（八）项", ("上一年项目数量", "本年增/减"), ("fees",)),
        ("第二十条第（九）项", ("采购项目数量", "采购总金额"), ("procurement",)),
    ),
}


def t2_colspans(headers: tuple[str, ...]) -> list[int]:
    """Column spans of a t2 block's value cells: the last one takes the spare columns."""
    spare = T2_WIDTH - 1 - len(headers)
    return [1 + (spare if i == len(headers) - 1 else 0) for i in range(len(headers))]


def cell_positions(template: str) -> dict[CellKey, Provenance]:
    """Each canonical cell's grid slot (table_index, row, col) in a built document."""
    cols = {spec.code: spec.cols for spec in T2_ROWS[template]}
    out: dict[CellKey, Provenance] = {}
    row = 0
    for _heading, headers, codes in T2_BLOCKS[template]:
        row += 2  # the heading row and the column-header row
        for code in codes:
            col = 1
            for name, span in zip(cols[code], t2_colspans(headers), strict=True):
                out[("t2", code, name)] = Provenance(table_index=0, row=row, col=col)
                col += span
            row += 1
    for i, spec in enumerate(t3_rows(template == "2021")):
        for j, name in enumerate(T3_COL_CODES):
            out[("t3", spec.code, name)] = Provenance(
                table_index=1, row=T3_HEADER_ROWS + i, col=T3_LABEL_COLS + j
            )
    for i, t4_row in enumerate(T4_ROWS):
        for j, name in enumerate(T4_COL_CODES):
            out[("t4", t4_row.code, name)] = Provenance(
                table_index=2, row=T4_HEADER_ROWS, col=i * len(T4_COL_CODES) + j
            )
    return out
