"""Lay a WordprocessingML table (`w:tbl`) out on its grid: one slot per merged cell.

Word stores a merged cell as several `w:tc` elements: the first carries the text and
`w:gridSpan` (columns) and `w:vMerge="restart"`; the cells below it carry
`w:vMerge` (continue) and usually no text. Legacy files merge horizontally with `w:hMerge`
instead of `w:gridSpan`. python-docx's `row.cells` returns the merged cell once per covered
slot, which double counts values; this module returns each merged cell once, at its
top-left slot, with its spans.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from gaibao_pipeline.documents.docx.package import MC, W

# Word allows 63 columns; a hostile gridSpan of 10^9 must not make us mark 10^9 slots.
MAX_COLS = 1024

# Elements that wrap rows, cells or blocks without meaning anything for the layout.
_WRAPPERS = (W + "customXml", W + "smartTag")


@dataclass(slots=True)
class TableSlot:
    """One merged cell: its top-left slot, spans, the `w:tc` holding its text and the rest."""

    row: int
    col: int
    tc: etree._Element
    rowspan: int = 1
    colspan: int = 1
    continued: list[etree._Element] = field(default_factory=list)  # covered w:tc elements


def unwrap(parent: etree._Element) -> Iterator[etree._Element]:
    """Children of `parent`, looking through content controls and custom-XML wrappers."""
    for child in parent:
        tag = child.tag
        if tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from unwrap(content)
        elif tag in _WRAPPERS:
            yield from unwrap(child)
        elif tag == MC + "AlternateContent":
            # Choice and Fallback hold the same content twice; read one of them
            choice = child.find(MC + "Choice")
            chosen = choice if choice is not None else child.find(MC + "Fallback")
            if chosen is not None:
                yield from unwrap(chosen)
        else:
            yield child


def _int_attr(parent: etree._Element | None, tag: str, default: int) -> int:
    if parent is None:
        return default
    el = parent.find(W + tag)
    if el is None:
        return default
    try:
        return int(el.get(W + "val", str(default)))
    except ValueError:
        return default


def _merge_state(tc_pr: etree._Element | None, tag: str) -> str | None:
    """'restart', 'continue', or None for a cell that is not merged this way."""
    if tc_pr is None:
        return None
    el = tc_pr.find(W + tag)
    if el is None:
        return None
    # an absent w:val means continue (ECMA-376 17.4.85)
    return "restart" if el.get(W + "val") == "restart" else "continue"


def table_rows(tbl: etree._Element) -> list[etree._Element]:
    """The table's `w:tr` elements in order."""
    return [el for el in unwrap(tbl) if el.tag == W + "tr"]


def row_cells(tr: etree._Element) -> list[etree._Element]:
    """The row's `w:tc` elements in order."""
    return [el for el in unwrap(tr) if el.tag == W + "tc"]


def layout_table(tbl: etree._Element) -> list[TableSlot]:
    """Every merged cell once, at its top-left grid slot, ordered by row then column."""
    slots: list[TableSlot] = []
    owner: dict[tuple[int, int], TableSlot] = {}
    for r, tr in enumerate(table_rows(tbl)):
        col = min(max(_int_attr(tr.find(W + "trPr"), "gridBefore", 0), 0), MAX_COLS)
        previous: TableSlot | None = None
        for tc in row_cells(tr):
            tc_pr = tc.find(W + "tcPr")
            span = min(max(_int_attr(tc_pr, "gridSpan", 1), 1), MAX_COLS - col)
            if span <= 0:
                break  # the row runs past MAX_COLS: the rest is not a real table
            target: TableSlot | None = None
            if _merge_state(tc_pr, "hMerge") == "continue" and previous is not None:
                target = previous
                target.colspan = col + span - target.col
            elif _merge_state(tc_pr, "vMerge") == "continue":
                above = owner.get((r - 1, col))
                # only a cell that starts in this column and reaches the row above continues
                if above is not None and above.col == col and above.row + above.rowspan == r:
                    target = above
                    target.rowspan += 1
            if target is None:
                target = TableSlot(row=r, col=col, tc=tc, colspan=span)
                slots.append(target)
            else:
                target.continued.append(tc)
            for c in range(col, col + span):
                owner[(r, c)] = target
            previous = target
            col += span
    return sorted(slots, key=lambda s: (s.row, s.col))
