"""Join a table continued on the next page to its first part, then turn tables into model Grids.

Word and WPS repeat the header row on the new page if asked to, may split one row in two at the
break (label above, values below, or half a label on each page), and leave the cells that span
the break (a vertical group label) as empty boxes on the new page. Each of those is undone here,
so the parser sees one table with the layout the author drew.
"""

from __future__ import annotations

import re

from gaibao_pipeline.documents.pdf.tables import PageTable, TableCell, nearest_index
from gaibao_pipeline.model import Cell, Grid, OcrReading, Provenance

ALIGN = 4.0  # points: column boundaries this close on two pages are the same boundary

_ENUMERATED = re.compile(r"\s*([（(]?[一二三四五六七八九十]+[）)、.．]|[（(]\d+[）)]|\d+\s*[.．、])")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _looks_numeric(text: str) -> bool:
    # values such as 12, 7730.28万元 or 增16; labels carry more than a unit's worth of Chinese
    return bool(re.search(r"\d", text)) and len(_CJK.findall(text)) <= 3


def _is_label(text: str) -> bool:
    return bool(_norm(text)) and not _looks_numeric(text)


def continues(first: PageTable, second: PageTable) -> bool:
    """True when `second` can be the rest of `first`: the same outer left and right borders."""
    return (
        abs(first.x_edges[0] - second.x_edges[0]) <= ALIGN
        and abs(first.x_edges[-1] - second.x_edges[-1]) <= ALIGN
    )


def _align_columns(first: PageTable, second: PageTable) -> None:
    """Re-index both tables' columns onto the union of their boundaries."""
    union: list[float] = []
    for x in sorted([*first.x_edges, *second.x_edges]):
        if not union or x - union[-1] > ALIGN:
            union.append(x)

    for table in (first, second):
        # the union is sorted and strictly increasing: the nearest boundary by bisection
        position = [nearest_index(union, x) for x in table.x_edges]
        for cell in table.cells:
            start = position[cell.col]
            end = position[cell.col + cell.colspan]
            cell.col, cell.colspan = start, max(end - start, 1)
        table.x_edges = union


def _row_signature(table: PageTable, row: int) -> list[tuple[int, int, int, str]]:
    return [(c.col, c.colspan, c.rowspan, _norm(c.text)) for c in table.cells if c.row == row]


def _repeated_header_rows(first: PageTable, second: PageTable) -> int:
    """How many leading rows of `second` repeat `first`'s header (0 if none)."""
    count = 0
    limit = min(first.n_rows, second.n_rows - 1)
    while count < limit:
        signature = _row_signature(second, count)
        if not signature or signature != _row_signature(first, count):
            break
        count += 1
    # a header block ends where none of its cells reaches further down
    while count and any(c.row < count < c.row + c.rowspan for c in second.cells):
        count -= 1
    header_text = [c.text for c in second.cells if c.row < count]
    return count if any(_is_label(t) for t in header_text) else 0


def _rejoin_split_row(
    last: dict[tuple[int, int], TableCell], first: dict[tuple[int, int], TableCell]
) -> bool:
    """Fold the new page's first row into the previous page's last row when one row was split."""
    if last.keys() != first.keys():
        return False
    filled_last = {k for k, c in last.items() if _norm(c.text)}
    filled_first = {k for k, c in first.items() if _norm(c.text)}
    if not filled_last or not filled_first:
        return False
    values_moved = filled_last.isdisjoint(filled_first)
    label_split = filled_first < filled_last and all(
        _is_label(first[k].text) and not _ENUMERATED.match(first[k].text) for k in filled_first
    )
    if not (values_moved or label_split):
        return False
    for key in filled_first:
        upper, lower = last[key], first[key]
        if _norm(upper.text):
            upper.text = f"{upper.text}\n{lower.text}"
            if upper.ocr is not None and lower.ocr is not None:
                confidence = min(upper.ocr.confidence, lower.ocr.confidence)
                upper.ocr = OcrReading(upper.text, confidence)
        else:
            # the value was printed on the new page: that is where it came from
            upper.text, upper.page, upper.bbox, upper.ocr = lower.text, lower.page, lower.bbox, lower.ocr
    return True


def merge_continuation(first: PageTable, second: PageTable) -> None:
    """Append `second` (the table at the top of the next page) to `first`, in place."""
    _align_columns(first, second)
    skip = _repeated_header_rows(first, second)
    last_row = first.n_rows - 1
    ending = {(c.col, c.colspan): c for c in first.cells if c.row + c.rowspan - 1 == last_row}
    starting = {(c.col, c.colspan): c for c in second.cells if c.row == skip}
    rejoined = _rejoin_split_row(ending, starting)
    if rejoined:
        skip += 1
    offset = first.n_rows - skip
    has_content = any(_norm(c.text) for c in starting.values())
    appended: list[TableCell] = []
    for cell in second.cells:
        if cell.row + cell.rowspan <= skip:
            continue  # a repeated header row, or the half of a split row already folded in
        above = ending.get((cell.col, cell.colspan)) if cell.row <= skip else None
        if above is not None and not _norm(cell.text) and _is_label(above.text) and (has_content or rejoined):
            # the empty remainder of a label cell that spans the page break
            above.rowspan += cell.row + cell.rowspan - skip
            continue
        if cell.row < skip:
            cell.rowspan -= skip - cell.row
            cell.row = skip
        cell.row += offset
        appended.append(cell)
    first.cells.extend(appended)
    first.cells.sort(key=lambda c: (c.row, c.col))
    first.pages.extend(p for p in second.pages if p not in first.pages)


def to_grid(table: PageTable, index: int) -> Grid:
    """The model Grid of a (possibly merged) table, each cell with its own page and box."""
    cells = [
        Cell(
            row=c.row,
            col=c.col,
            text=c.text,
            rowspan=c.rowspan,
            colspan=c.colspan,
            where=Provenance(page=c.page, table_index=index, row=c.row, col=c.col, bbox=c.bbox, ocr=c.ocr),
        )
        for c in table.cells
    ]
    return Grid(cells=cells, index=index)
