"""pdfplumber's lines-strategy cell finder, the same cells in the same order, without its quadratic scans.

`pdfplumber.table.edges_to_intersections` sorts the horizontal edges again for every vertical
one, and `intersections_to_cells` rebuilds sets of edge boxes and rescans every later point
for each point it looks at; on a page with a ruled table that was most of the cost of reading
the page. Here the edges are sorted once, each point's edge boxes are made into sets once, and
the points below and to the right of a point are looked up by column and by row. The results
equal pdfplumber's (`tests/documents/test_pdf_grid.py` compares them).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

Edge = dict[str, Any]
Point = tuple[float, float]
CellBox = tuple[float, float, float, float]


def _box(edge: Edge) -> CellBox:
    return (edge["x0"], edge["top"], edge["x1"], edge["bottom"])


def edges_to_intersections(
    edges: Sequence[Edge], x_tolerance: float, y_tolerance: float
) -> dict[Point, tuple[set[CellBox], set[CellBox]]]:
    """Each point where a vertical and a horizontal edge meet, with the boxes of the (v, h) edges there."""
    verticals = sorted((e for e in edges if e["orientation"] == "v"), key=lambda e: (e["x0"], e["top"]))
    horizontals = sorted((e for e in edges if e["orientation"] == "h"), key=lambda e: (e["top"], e["x0"]))
    tops = [h["top"] for h in horizontals]
    found: dict[Point, tuple[set[CellBox], set[CellBox]]] = {}
    for v in verticals:
        x, v_top, v_bottom = v["x0"], v["top"], v["bottom"]
        v_box = _box(v)
        # the horizontals with v_top - tol <= top <= v_bottom + tol, as pdfplumber's test reads
        start = bisect_right(tops, v_top - y_tolerance)
        while start > 0 and v_top <= tops[start - 1] + y_tolerance:
            start -= 1
        for h in horizontals[start:]:
            top = h["top"]
            if not v_bottom >= top - y_tolerance:
                break
            if v_top <= top + y_tolerance and h["x0"] - x_tolerance <= x <= h["x1"] + x_tolerance:
                entry = found.get((x, top))
                if entry is None:
                    entry = found[(x, top)] = (set(), set())
                entry[0].add(v_box)
                entry[1].add(_box(h))
    return found


def intersections_to_cells(intersections: dict[Point, tuple[set[CellBox], set[CellBox]]]) -> list[CellBox]:
    """The smallest rectangle each intersection opens (as its top-left corner), as pdfplumber finds them."""
    points = sorted(intersections)
    by_x: dict[float, list[float]] = {}
    by_y: dict[float, list[float]] = {}
    for x, y in points:  # sorted by x then y: each column's ys and each row's xs come out ascending
        by_x.setdefault(x, []).append(y)
        by_y.setdefault(y, []).append(x)

    def joined_v(p1: Point, p2: Point) -> bool:
        return not intersections[p1][0].isdisjoint(intersections[p2][0])

    def joined_h(p1: Point, p2: Point) -> bool:
        return not intersections[p1][1].isdisjoint(intersections[p2][1])

    cells: list[CellBox] = []
    for pt in points:
        x, y = pt
        column, row = by_x[x], by_y[y]
        below = [(x, y2) for y2 in column[bisect_right(column, y) :]]
        right = [(x2, y) for x2 in row[bisect_right(row, x) :]]
        found = None
        for below_pt in below:
            if not joined_v(pt, below_pt):
                continue
            for right_pt in right:
                if not joined_h(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and joined_v(corner, right_pt) and joined_h(corner, below_pt):
                    found = (x, y, corner[0], corner[1])
                    break
            if found is not None:
                break
        if found is not None:
            cells.append(found)
    return cells


def cells_to_tables(cells: Sequence[CellBox]) -> list[list[CellBox]]:
    """Cells grouped into tables by shared corners, as pdfplumber groups them, in its order.

    pdfplumber removes each cell it places from a list (a scan of the list per cell); here
    each pass keeps the cells it did not place instead.
    """
    remaining = list(cells)
    corners: set[Point] = set()
    current: list[CellBox] = []
    tables: list[list[CellBox]] = []
    while remaining:
        placed = len(current)
        left: list[CellBox] = []
        for cell in remaining:
            x0, top, x1, bottom = cell
            cell_corners = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or any(corner in corners for corner in cell_corners):
                corners.update(cell_corners)
                current.append(cell)
            else:
                left.append(cell)
        remaining = left
        if len(current) == placed:  # the pass placed nothing: the table is complete
            tables.append(list(current))
            corners.clear()
            current.clear()
    if current:
        tables.append(list(current))
    tables.sort(key=lambda table: min((c[1], c[0]) for c in table))
    return [table for table in tables if len(table) > 1]
