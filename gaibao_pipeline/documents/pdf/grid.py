"""pdfplumber's lines-strategy cell finder, the same cells in the same order, without its quadratic scans.

`pdfplumber.table.edges_to_intersections` sorts the horizontal edges again for every vertical
one, and `intersections_to_cells` rebuilds sets of edge boxes and rescans every later point
for each point it looks at; on a page with a ruled table that was most of the cost of reading
the page. Here the edges are sorted once, each point's edge boxes are made into sets once, and
the points below and to the right of a point are looked up by column and by row; the edges
are merged and the cells grouped into tables without pdfplumber's per-edge copies and list
removals. The results equal pdfplumber's (`tests/documents/test_pdf_grid.py` compares them).
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

    cells: list[CellBox] = []
    for x, y in points:
        v_here, h_here = intersections[(x, y)]
        column, row = by_x[x], by_y[y]
        # the points to the right joined to this one by a horizontal edge, left to right
        # (pdfplumber tests them again for every point below; the test has no side effects)
        right = [
            (x2, intersections[(x2, y)][0])
            for x2 in row[bisect_right(row, x) :]
            if not h_here.isdisjoint(intersections[(x2, y)][1])
        ]
        if not right:
            continue
        found = None
        for y2 in column[bisect_right(column, y) :]:
            v_below, h_below = intersections[(x, y2)]
            if v_here.isdisjoint(v_below):
                continue
            for x2, v_right in right:
                corner = intersections.get((x2, y2))
                if (
                    corner is not None
                    and not corner[0].isdisjoint(v_right)
                    and not corner[1].isdisjoint(h_below)
                ):
                    found = (x, y, x2, y2)
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


def _snap(edges: list[Edge], attr: str, tolerance: float) -> list[Edge]:
    """pdfplumber's `snap_objects`: edges whose `attr` values chain within the tolerance go to their mean."""
    if not edges:
        return []
    cluster_of: dict[float, int] = {}
    cluster = -1
    last = 0.0
    for value in sorted({e[attr] for e in edges}):
        if cluster < 0 or value > last + tolerance:
            cluster += 1
        cluster_of[value] = cluster
        last = value
    clusters: list[list[Edge]] = [[] for _ in range(cluster + 1)]
    for edge in edges:  # each cluster in the order given, as pdfplumber's stable sort leaves them
        clusters[cluster_of[edge[attr]]].append(edge)
    snapped: list[Edge] = []
    for members in clusters:
        mean = sum(e[attr] for e in members) / len(members)
        for edge in members:
            shift = mean - edge[attr]
            moved = dict(edge)
            if attr == "x0":  # a vertical edge moves sideways
                moved["x0"] = edge["x0"] + shift
                moved["x1"] = edge["x1"] + shift
            else:
                moved["top"] = edge["top"] + shift
                moved["bottom"] = edge["bottom"] + shift
                if "doctop" in edge:
                    moved["doctop"] = edge["doctop"] + shift
                if "y0" in edge:
                    moved["y0"] = edge["y0"] - shift
                    moved["y1"] = edge["y1"] - shift
            snapped.append(moved)
    return snapped


def _join(edges: list[Edge], orientation: str, tolerance: float) -> list[Edge]:
    """pdfplumber's `join_edge_group`: collinear edges that overlap or nearly meet become one."""
    low, high = ("x0", "x1") if orientation == "h" else ("top", "bottom")
    ordered = sorted(edges, key=lambda e: e[low])
    joined = [ordered[0]]
    for edge in ordered[1:]:
        last = joined[-1]
        if edge[low] <= last[high] + tolerance:
            if edge[high] > last[high]:
                value = edge[high]
                longer = dict(last)
                longer[high] = value
                if high == "x1":
                    longer["width"] = value - last["x0"]
                else:
                    diff = value - last["bottom"]
                    longer["height"] = last["height"] + diff
                    if "y0" in last:
                        longer["y0"] = last["y0"] - diff
                joined[-1] = longer
        else:
            joined.append(edge)
    return joined


def merge_edges(
    edges: Sequence[Edge], snap_x: float, snap_y: float, join_x: float, join_y: float
) -> list[Edge]:
    """pdfplumber's `merge_edges` (snap to common lines, then join pieces), the same edges in its order.

    pdfplumber copies each edge through a tuple of its items and groups with sorts and
    `groupby`; on a page of ruled tables it ran twice and was a large part of finding them.
    """
    merged = list(edges)
    if snap_x > 0 or snap_y > 0:
        verticals = [e for e in merged if e["orientation"] == "v"]
        horizontals = [e for e in merged if e["orientation"] == "h"]
        if len(verticals) + len(horizontals) != len(merged):
            raise KeyError("orientation")  # as pdfplumber fails on an edge that is neither
        merged = _snap(verticals, "x0", snap_x) + _snap(horizontals, "top", snap_y)
    groups: dict[tuple[str, float], list[Edge]] = {}
    for edge in sorted(merged, key=_group):
        groups.setdefault(_group(edge), []).append(edge)
    out: list[Edge] = []
    for (orientation, _), members in groups.items():
        out.extend(_join(members, orientation, join_x if orientation == "h" else join_y))
    return out


def _group(edge: Edge) -> tuple[str, float]:
    return ("h", edge["top"]) if edge["orientation"] == "h" else ("v", edge["x0"])
