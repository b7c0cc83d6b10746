"""The engine's text boxes on an image, fitted to their ink and to the cells of ruled tables.

The detector's boxes are good at lines of text and weak at their edges: a lone 0 may lose
its top (and read as U), a heading its first thin characters (一、 二、), a value its minus
sign. Each box is grown to the ink it cuts through, and widened leftwards over ink that
continues its line. Inside a ruled table a box is cut where it crosses into another cell,
and a cell with ink but no box gets one from its ink. Coordinates: `Placement` maps the
image's pixels to points on the page.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from gaibao_pipeline.documents.ocr.engine import Gray, PixelBox
from gaibao_pipeline.documents.ocr.raster import has_ink, ink_bounds
from gaibao_pipeline.documents.ocr.readings import BLANK
from gaibao_pipeline.documents.pdf.tables import TableLayout
from gaibao_pipeline.model import BBox, OcrReading

CELL_INSET = 1.2  # points cut from each side of a cell, so its borders are not read
GROW_INSET = 0.5  # points: a box grown to its ink stops this far inside the cell's border
MIN_INK = 0.6  # points², times scale²: less ink than this in a cell is a speck, not text
FAINT_INK = 180  # grey level below which a pixel may be a thin stroke blurred by the scan


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the image sits: points = (left, top) + pixels / scale, on `page` (if any)."""

    scale: float  # pixels per point
    left: float = 0.0
    top: float = 0.0
    page: int | None = None

    def to_points(self, box: PixelBox) -> BBox:
        x0, top, x1, bottom = box
        s = self.scale
        return (self.left + x0 / s, self.top + top / s, self.left + x1 / s, self.top + bottom / s)

    def to_pixels(self, bbox: BBox) -> PixelBox:
        s = self.scale
        x0, top, x1, bottom = bbox
        return (
            round((x0 - self.left) * s),
            round((top - self.top) * s),
            round((x1 - self.left) * s),
            round((bottom - self.top) * s),
        )


@dataclass(slots=True)
class Box:
    """A text box in pixels, and what the engine read in it."""

    pixels: PixelBox
    reading: OcrReading = BLANK


def split_at_cells(box: PixelBox, layout: TableLayout, placement: Placement) -> list[PixelBox]:
    """A detected box cut where it crosses into another cell (two values read as one box)."""
    x0, top, x1, bottom = box
    middle = (top + bottom) / 2 / placement.scale
    cuts: list[int] = []
    for x in layout.xs[1:-1]:
        pixel = round(x * placement.scale)
        if not x0 + 2 < pixel < x1 - 2:
            continue
        left = layout.cell_at(x - 1.0, middle)
        right = layout.cell_at(x + 1.0, middle)
        if left is not None and right is not None and left != right:
            cuts.append(pixel)
    if not cuts:
        return [box]
    edges = [x0, *cuts, x1]
    return [(a, top, b, bottom) for a, b in itertools.pairwise(edges) if b - a > 2]


def _with_leading_ink(gray: Gray, box: PixelBox, limit: PixelBox | None) -> PixelBox:
    """The box widened leftwards over ink that continues its line: the detector often leaves
    out a line's first characters when they are thin strokes (一、 二、 三、 of a heading)."""
    x0, top, x1, bottom = box
    height = bottom - top
    floor = max(limit[0] if limit is not None else 0, x0 - 2 * height, 0)
    band = gray[max(top, 0) : max(bottom, 1), floor:x0] < FAINT_INK
    if band.size == 0:
        return box
    inked = band.sum(axis=0) >= 2  # a column with a stroke, not a speck
    gap_allowed = max(height * 4 // 5, 2)
    left, gap = x0, 0
    for column in range(x0 - floor - 1, -1, -1):
        if inked[column]:
            left, gap = floor + column, 0
        else:
            gap += 1
            if gap > gap_allowed:
                break
    return (left, top, x1, bottom)


def grown(gray: Gray, box: PixelBox, limit: PixelBox | None = None) -> PixelBox:
    """The box grown to the ink it cuts through: the detector's box of a lone 0 may clip its
    top, and a clipped 0 reads as U. Growth stays within a third of the box's height (and
    within `limit`, a cell's inside), short of the neighbouring lines."""
    x0, top, x1, bottom = _with_leading_ink(gray, box, limit)
    reach = max((bottom - top) // 3, 2)
    region = (x0 - reach, top - reach, x1 + reach, bottom + reach)
    if limit is not None:
        region = (
            max(region[0], limit[0]),
            max(region[1], limit[1]),
            min(region[2], limit[2]),
            min(region[3], limit[3]),
        )
    ink = ink_bounds(gray, region)
    if ink is None:
        return box
    return (min(x0, ink[0]), min(top, ink[1]), max(x1, ink[2]), max(bottom, ink[3]))


def boxes_per_cell(
    gray: Gray, detected: list[PixelBox], layouts: list[TableLayout], placement: Placement
) -> tuple[list[list[list[Box]]], list[Box]]:
    """Detected boxes per table cell (split at column rules), cells with ink but no box added."""
    per_cell: list[list[list[Box]]] = [[[] for _ in layout.boxes] for layout in layouts]
    outside: list[Box] = []
    for box in detected:
        x0, top, x1, bottom = placement.to_points(box)
        cx, cy = (x0 + x1) / 2, (top + bottom) / 2
        for layout, cells in zip(layouts, per_cell, strict=True):
            if not (layout.bbox[0] <= cx <= layout.bbox[2] and layout.bbox[1] <= cy <= layout.bbox[3]):
                continue
            for piece in split_at_cells(box, layout, placement):
                px0, ptop, px1, pbottom = placement.to_points(piece)
                index = layout.cell_at((px0 + px1) / 2, (ptop + pbottom) / 2)
                if index is not None and has_ink(gray, piece, 3):
                    left, upper, right, lower = layout.boxes[index]
                    inset = GROW_INSET  # a value set close to its border (a minus sign) stays whole
                    inside = placement.to_pixels((left + inset, upper + inset, right - inset, lower - inset))
                    cells[index].append(Box(grown(gray, piece, inside)))
            break
        else:
            outside.append(Box(grown(gray, box)))
    min_ink = max(int(MIN_INK * placement.scale**2), 4)
    inset = CELL_INSET
    for layout, cells in zip(layouts, per_cell, strict=True):
        for index, (x0, top, x1, bottom) in enumerate(layout.boxes):
            if cells[index]:
                continue
            inner = placement.to_pixels((x0 + inset, top + inset, x1 - inset, bottom - inset))
            if has_ink(gray, inner, min_ink) and (tight := ink_bounds(gray, inner)) is not None:
                cells[index].append(Box(tight))  # the detector missed it: read the ink itself
    return per_cell, outside
