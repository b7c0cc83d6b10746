"""Ruled tables on one page: visible rules → the lines-strategy cell finder → cells with spans and text.

pdfplumber's `lines` strategy takes every rectangle edge as a rule, but WPS and Word paint
white boxes behind each line of body text and each table cell; those make narrative text look
like tables. Only what a reader sees counts here: stroked lines, stroked boxes and thin filled
bars in a colour other than white. Tables broken by a page have no rule along the break, so
their open ends are closed where the vertical rules stop. The cell finder is pdfplumber's
algorithm, reimplemented without its quadratic scans in `grid`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pdfplumber.utils.geometry import curve_to_edges, line_to_edge, rect_to_edges

from gaibao_pipeline.documents.pdf.glyphs import Glyph
from gaibao_pipeline.documents.pdf.grid import (
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)
from gaibao_pipeline.documents.pdf.text import cell_text
from gaibao_pipeline.model import BBox, OcrReading

Edge = dict[str, Any]

SNAP = 3.0  # points: rules this close are one rule (pdfplumber's default snap tolerance)
JOIN = 3.0  # points: collinear rule pieces this close are joined
MIN_EDGE = 3.0  # points: shorter rule pieces are glyph decorations, not borders
THIN = 2.0  # points: a filled box thinner than this is a rule drawn as a bar
NEAR_BORDER = 8.0  # points: a rule this close to an open end already closes it
WHITE = 0.95  # colour components at least this light (or CMYK this empty) are invisible on paper


@dataclass(slots=True)
class TableCell:
    """A cell of a table on one page, at its top-left slot, with spans; mutable while merging."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    page: int | None  # None for a picture that is not a page (pasted in a DOCX or HTML page)
    bbox: BBox
    ocr: OcrReading | None = None  # how OCR read the text, when the table was an image


@dataclass(slots=True)
class PageTable:
    """A ruled table as found on one page (or, after merging, continued over several)."""

    page: int | None
    bbox: BBox
    x_edges: list[float]  # column boundaries, left to right
    cells: list[TableCell]
    pages: list[int | None] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return len(self.x_edges) - 1


def _is_white(color: Any) -> bool:
    if isinstance(color, int | float):
        return float(color) >= WHITE
    if not isinstance(color, tuple | list) or not all(isinstance(v, int | float) for v in color):
        return False  # no colour set means black; patterns and spot colours count as visible
    components = [float(v) for v in color]
    if len(components) in (1, 3):
        return min(components) >= WHITE
    if len(components) == 4:
        return max(components) <= 1 - WHITE
    return False


def _is_stroked(obj: Mapping[str, Any]) -> bool:
    return bool(obj.get("stroke", True)) and not _is_white(obj.get("stroking_color"))


def _is_bar(obj: Mapping[str, Any]) -> bool:
    thin = min(float(obj["x1"]) - float(obj["x0"]), float(obj["bottom"]) - float(obj["top"])) < THIN
    return thin and bool(obj.get("fill")) and not _is_white(obj.get("non_stroking_color"))


def rule_edges(
    lines: Iterable[Mapping[str, Any]],
    rects: Iterable[Mapping[str, Any]],
    curves: Iterable[Mapping[str, Any]],
) -> list[Edge]:
    """The horizontal and vertical edges of the rules a reader sees, from pdfplumber objects."""
    edges: list[Edge] = []
    for line in lines:
        straight = min(float(line["x1"]) - float(line["x0"]), float(line["bottom"]) - float(line["top"])) < 1
        # a diagonal line (the slash of a 斜线表头 corner cell) is no border
        if straight and _is_stroked(line):
            edges.append(line_to_edge(dict(line)))
    for rect in rects:
        if _is_stroked(rect) or _is_bar(rect):
            edges.extend(rect_to_edges(dict(rect)))
    for curve in curves:
        if _is_stroked(curve) or _is_bar(curve):
            edges.extend(curve_to_edges(dict(curve)))
    return [e for e in edges if e.get("orientation") in ("h", "v")]


def make_edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> Edge:
    """An edge dict in the shape pdfplumber's table functions expect."""
    return {
        "object_type": "line_edge",
        "orientation": orientation,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
    }


def _clusters(values: list[tuple[float, Edge]]) -> list[list[tuple[float, Edge]]]:
    groups: list[list[tuple[float, Edge]]] = []
    for item in sorted(values, key=lambda v: v[0]):
        if groups and item[0] - groups[-1][-1][0] <= SNAP:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def close_open_ends(edges: list[Edge]) -> list[Edge]:
    """Add the rule missing where a table is cut by a page break: where its verticals stop."""
    # word processors draw a column's rule cell by cell; judge the joined rule
    edges = merge_edges(edges, SNAP, SNAP, JOIN, JOIN)
    verticals = [e for e in edges if e["orientation"] == "v"]
    horizontals = [e for e in edges if e["orientation"] == "h"]

    def covered(x: float, y: float) -> bool:
        return any(abs(h["top"] - y) <= SNAP and h["x0"] - SNAP <= x <= h["x1"] + SNAP for h in horizontals)

    def anchored(v: Edge, loose_end: str) -> bool:
        # part of a ruled table: a rule crosses it, or its other end meets one
        other = "bottom" if loose_end == "top" else "top"
        return covered(v["x0"], v[other]) or any(
            v["top"] + SNAP < h["top"] < v["bottom"] - SNAP and h["x0"] - SNAP <= v["x0"] <= h["x1"] + SNAP
            for h in horizontals
        )

    added: list[Edge] = []
    for end in ("top", "bottom"):
        for group in _clusters([(v[end], v) for v in verticals]):
            ends = [v for _, v in group]
            if len(ends) < 2 or all(covered(v["x0"], v[end]) for v in ends):
                continue
            if sum(1 for v in ends if anchored(v, end)) < 2:
                continue  # loose vertical strokes, not the sides of a ruled table
            y = min(v[end] for v in ends) if end == "top" else max(v[end] for v in ends)
            x0, x1 = min(v["x0"] for v in ends), max(v["x0"] for v in ends)
            if any(
                abs(h["top"] - y) <= NEAR_BORDER and h["x0"] <= x0 + SNAP and h["x1"] >= x1 - SNAP
                for h in horizontals
            ):
                continue  # the verticals only overshoot a border that is there
            added.append(make_edge("h", x0, y, x1, y))
    return edges + added


def table_cell_boxes(edges: list[Edge]) -> list[list[BBox]]:
    """Cell boxes per table, from rule edges, with pdfplumber's lines-strategy algorithm (`grid`)."""
    merged = merge_edges(edges, SNAP, SNAP, JOIN, JOIN)
    merged = [e for e in merged if e["width" if e["orientation"] == "h" else "height"] >= MIN_EDGE]
    intersections = edges_to_intersections(merged, SNAP, SNAP)
    cells = intersections_to_cells(intersections)
    return [
        [(float(a), float(b), float(c), float(d)) for a, b, c, d in table] for table in cells_to_tables(cells)
    ]


def nearest_index(edges: list[float], value: float) -> int:
    """Index of the edge nearest the value (the first of two as near) in the sorted edge list."""
    # cell corners come from the same snapped rules, so they match the edge list exactly
    i = bisect_left(edges, value)
    if i == 0:
        return 0
    if i == len(edges):
        return i - 1
    return i - 1 if abs(edges[i - 1] - value) <= abs(edges[i] - value) else i


@dataclass(slots=True)
class TableLayout:
    """A table's cell boxes against its unique column and row boundaries, before any text."""

    boxes: list[BBox]
    xs: list[float]
    ys: list[float]
    slots: dict[tuple[int, int], int]  # (row, col) → index of the cell covering it
    spans: list[tuple[int, int, int, int]]  # row, col, rowspan, colspan per cell
    bbox: BBox

    def cell_at(self, x: float, y: float) -> int | None:
        """Index of the cell containing the point, or None outside the table or in a hole."""
        if not (self.bbox[0] <= x <= self.bbox[2] and self.bbox[1] <= y <= self.bbox[3]):
            return None
        col = min(bisect_right(self.xs, x) - 1, len(self.xs) - 2)
        row = min(bisect_right(self.ys, y) - 1, len(self.ys) - 2)
        return self.slots.get((row, col))


def _layout(boxes: list[BBox]) -> TableLayout:
    xs = sorted({round(v, 3) for b in boxes for v in (b[0], b[2])})
    ys = sorted({round(v, 3) for b in boxes for v in (b[1], b[3])})
    slots: dict[tuple[int, int], int] = {}
    spans: list[tuple[int, int, int, int]] = []
    # neighbouring cells share their corners: each distinct coordinate is looked up once
    col_of = {v: nearest_index(xs, v) for v in {v for b in boxes for v in (b[0], b[2])}}
    row_of = {v: nearest_index(ys, v) for v in {v for b in boxes for v in (b[1], b[3])}}
    for index, (x0, top, x1, bottom) in enumerate(boxes):
        col, col_end = col_of[x0], col_of[x1]
        row, row_end = row_of[top], row_of[bottom]
        spans.append((row, col, max(row_end - row, 1), max(col_end - col, 1)))
        for r in range(row, row_end):
            for c in range(col, col_end):
                slots.setdefault((r, c), index)
    return TableLayout(boxes, xs, ys, slots, spans, (xs[0], ys[0], xs[-1], ys[-1]))


def table_layouts(boxes_per_table: Sequence[list[BBox]]) -> list[TableLayout]:
    """Layouts of the tables worth reading (not single-column frames), innermost first."""
    layouts = [_layout(boxes) for boxes in boxes_per_table]
    # a box with one column is a frame around narrative text: its lines stay paragraphs
    layouts = [layout for layout in layouts if len(layout.xs) > 2]
    # a table drawn inside a frame comes first, so that it takes its own glyphs
    layouts.sort(key=lambda lay: (lay.bbox[2] - lay.bbox[0]) * (lay.bbox[3] - lay.bbox[1]))
    return layouts


def find_tables(edges: list[Edge], glyphs: Sequence[Glyph], page: int) -> tuple[list[PageTable], list[Glyph]]:
    """The page's ruled tables with their text, and the glyphs outside them, from its rule edges."""
    layouts = table_layouts(table_cell_boxes(close_open_ends(edges))) if edges else []
    return fill_tables(layouts, glyphs, page)


def fill_tables(
    layouts: Sequence[TableLayout], glyphs: Sequence[Glyph], page: int
) -> tuple[list[PageTable], list[Glyph]]:
    """Put each glyph in the cell holding its centre; return the tables with text and the glyphs left over."""
    contents: list[list[list[Glyph]]] = [[[] for _ in layout.boxes] for layout in layouts]
    left_over: list[Glyph] = []
    if layouts:
        # TableLayout.cell_at written out, its fields read once per table instead of per glyph
        finders = [
            (*layout.bbox, layout.xs, len(layout.xs) - 2, layout.ys, len(layout.ys) - 2, layout.slots, cells)
            for layout, cells in zip(layouts, contents, strict=True)
        ]
        for glyph in glyphs:
            _, x0, top, x1, bottom = glyph
            x, y = (x0 + x1) / 2, (top + bottom) / 2  # as Glyph.center_x and center_y
            for left, high, right, low, xs, last_col, ys, last_row, slots, cells in finders:
                if not (left <= x <= right and high <= y <= low):
                    continue
                col = min(bisect_right(xs, x) - 1, last_col)
                row = min(bisect_right(ys, y) - 1, last_row)
                index = slots.get((row, col))
                if index is not None:
                    cells[index].append(glyph)
                    break
            else:
                left_over.append(glyph)
    else:
        left_over = list(glyphs)

    tables: list[PageTable] = []
    for layout, cells in zip(layouts, contents, strict=True):
        if not any(cells):
            continue  # an empty ruled box says nothing
        table_cells = [
            TableCell(row, col, rowspan, colspan, cell_text(content), page, box)
            for (row, col, rowspan, colspan), content, box in zip(
                layout.spans, cells, layout.boxes, strict=True
            )
        ]
        table_cells.sort(key=lambda c: (c.row, c.col))
        tables.append(PageTable(page, layout.bbox, list(layout.xs), table_cells, [page]))
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables, left_over
