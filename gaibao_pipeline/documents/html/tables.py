"""Lay an HTML `<table>` out on its grid like a browser, and tell data tables from layout.

HTML, unlike Word, does not repeat a merged cell in the rows it spans: a cell with
`rowspan=3` makes the next two rows start one slot further right. The slot of each `<td>`
is therefore found by skipping slots that cells of earlier rows already cover (the HTML
table-forming algorithm), and every cell appears once, at its top-left slot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from gaibao_pipeline.documents.html.flow import LineSink, walk
from gaibao_pipeline.errors import DocumentError, Status

# HTML caps colspan at 1000 and rowspan at 65534; a hostile table must not make us mark
# billions of slots, so the slots marked per document are budgeted as well.
MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534
MAX_SLOTS = 2_000_000
# A table whose cell holds this much text with paragraphs or a table inside is page layout
_LAYOUT_CELL_CHARS = 200
_LEADING_INT = re.compile(r"\s*(\d+)")
_BLOCKS = ("p", "div", "table", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6")


@dataclass(slots=True)
class HtmlCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


def _span(value: str | None, default: int, cap: int) -> int:
    match = _LEADING_INT.match(value or "")
    return min(int(match.group(1)), cap) if match else default


def _nearest(el: etree._Element, tags: tuple[str, ...]) -> etree._Element | None:
    for ancestor in el.iterancestors(*tags):
        return ancestor
    return None


def table_rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows (not those of nested tables), with `<tfoot>` rows last."""
    rows = [tr for tr in table.iter("tr") if _nearest(tr, ("table",)) is table]
    foot = [tr for tr in rows if tr.getparent() is not None and tr.getparent().tag == "tfoot"]
    return [tr for tr in rows if tr not in foot] + foot


def row_cells(tr: etree._Element) -> list[etree._Element]:
    """The row's own `<td>`/`<th>` cells, looking through stray wrappers such as `<form>`."""
    return [c for c in tr.iter("td", "th") if _nearest(c, ("tr",)) is tr]


def cell_text(td: etree._Element, nested: list[etree._Element]) -> str:
    """A cell's visible text, lines joined by newlines; tables inside go to `nested`."""
    sink = LineSink()

    def take(table: etree._Element) -> bool:
        nested.append(table)
        return True

    walk(td, sink, take)
    return "\n".join(sink.lines())


def is_layout_table(table: etree._Element) -> bool:
    """Whether the table only arranges the page: a lone cell, or a cell holding an article."""
    cells = [td for tr in table_rows(table) for td in row_cells(tr)]
    if len(cells) <= 1:
        return True
    filled = [td for td in cells if "".join(td.itertext()).strip()]
    for td in filled:
        blocks = sum(1 for el in td.iter(*_BLOCKS) if el is not td)
        if len(filled) == 1 and blocks:
            return True  # one box of paragraphs beside empty spacer cells
        if blocks >= 3 and len("".join(td.itertext()).strip()) >= _LAYOUT_CELL_CHARS:
            return True
    return False


class SlotBudget:
    """Counts grid slots marked across one document and stops a hostile table."""

    def __init__(self, limit: int = MAX_SLOTS) -> None:
        self.left = limit

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise DocumentError(Status.TOO_LARGE, "HTML tables span more grid slots than allowed")


def layout_table(table: etree._Element, nested: list[etree._Element], budget: SlotBudget) -> list[HtmlCell]:
    """Every cell once at its top-left slot, with spans, in row then column order."""
    rows = table_rows(table)
    occupied: set[tuple[int, int]] = set()
    cells: list[HtmlCell] = []
    for r, tr in enumerate(rows):
        col = 0
        for td in row_cells(tr):
            while (r, col) in occupied:
                col += 1
            colspan = max(_span(td.get("colspan"), 1, MAX_COLSPAN), 1)
            rowspan = _span(td.get("rowspan"), 1, MAX_ROWSPAN)
            # rowspan=0 reaches the end of the table; no span reaches past it
            rowspan = len(rows) - r if rowspan == 0 else min(max(rowspan, 1), len(rows) - r)
            budget.spend(rowspan * colspan)
            occupied.update((rr, cc) for rr in range(r, r + rowspan) for cc in range(col, col + colspan))
            cells.append(HtmlCell(r, col, rowspan, colspan, cell_text(td, nested)))
            col += colspan
    return cells
