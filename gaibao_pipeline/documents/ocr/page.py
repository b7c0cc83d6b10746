"""One image (a scanned page, a pasted picture of a table) read into text lines and tables.

`ocr_image` is the entry point every reader uses: a PDF for its image-only pages and the
pictures on its text pages, DOCX and HTML for pasted pictures, and image files. The image
is straightened; ruled tables are found from its rules (`raster`) and read cell by cell from
the boxes the engine detects, each cell keeping its reading and confidence; what lies
outside ruled tables becomes text lines, where tables without rules are rebuilt by the
parser from the rows of values. A value read with doubt is read again at a higher scale,
and the page's images are kept (`PictureStore`) so that values the identities reject can be
read again once the document is parsed.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from gaibao_pipeline.documents.ocr.engine import Gray, OcrError, PixelBox, RapidEngine
from gaibao_pipeline.documents.ocr.raster import (
    MIN_TABLE_WIDTH,
    erase_rules,
    find_rules,
    has_ink,
    ink_bounds,
    rotate,
    skew_angle,
    to_gray,
)
from gaibao_pipeline.documents.ocr.readings import (
    BLANK,
    UNREADABLE,
    digits_for_symbols,
    joined,
    with_alternatives,
)
from gaibao_pipeline.documents.pdf.glyphs import Glyph
from gaibao_pipeline.documents.pdf.tables import (
    PageTable,
    TableCell,
    TableLayout,
    close_open_ends,
    table_cell_boxes,
    table_layouts,
)
from gaibao_pipeline.documents.pdf.text import TextLine, build_lines, cell_text
from gaibao_pipeline.model import BBox, OcrReading

CELL_INSET = 1.2  # points cut from each side of a cell, so its borders are not read
MIN_INK = 0.6  # points², times scale²: less ink than this in a cell is a speck, not text
REREAD_BELOW = 0.97  # a value read with less confidence (or a digit with less) is read again
REREAD_SCALE = 2.0  # the crop is enlarged this much for the second reading
MARGIN = 0.35  # × the text height: white kept around a crop (the recogniser needs a margin)
_VALUE_LIKE = re.compile(r"^[^\u4e00-\u9fff]{1,16}$")  # no Chinese: a number, or a symbol a digit became


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
class OcrPage:
    """An image read: text lines outside tables and ruled tables, in page points."""

    lines: list[TextLine]
    tables: list[PageTable]
    angle: float  # degrees the image was turned to straighten it
    seconds: float


@dataclass(slots=True)
class _Picture:
    image: Gray  # straightened, rules erased
    placement: Placement


@dataclass(slots=True)
class PictureStore:
    """The straightened images of a document's OCR'd tables, to read a cell again later."""

    pictures: list[_Picture] = field(default_factory=list)
    cells: dict[tuple[int | None, BBox, str], tuple[int, PixelBox]] = field(default_factory=dict)

    def add(self, image: Gray, placement: Placement) -> int:
        self.pictures.append(_Picture(image, placement))
        return len(self.pictures) - 1

    def remember(self, picture: int, page: int | None, bbox: BBox, text: str, box: PixelBox) -> None:
        self.cells[(page, bbox, text)] = (picture, box)

    def find(self, page: int | None, bbox: BBox, text: str) -> tuple[Gray, PixelBox] | None:
        found = self.cells.get((page, bbox, text))
        if found is None:
            return None
        return self.pictures[found[0]].image, found[1]


def _is_value(text: str) -> bool:
    return bool(_VALUE_LIKE.match(text.strip()))


def _doubtful(reading: OcrReading) -> bool:
    low = reading.confidence < REREAD_BELOW
    return _is_value(reading.text) and (low or any(c < REREAD_BELOW for c in reading.char_confidences))


def _crop(gray: Gray, box: PixelBox, margin: float = MARGIN) -> Gray:
    """The box with a white margin around it, as the recogniser wants a line of text."""
    x0, top, x1, bottom = box
    pad = max(int((bottom - top) * margin), 2)
    height, width = gray.shape
    inner = gray[max(top, 0) : min(bottom, height), max(x0, 0) : min(x1, width)]
    return np.asarray(
        cv2.copyMakeBorder(inner, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255), dtype=np.uint8
    )


def _enlarged(gray: Gray, box: PixelBox, scale: float, binarise: bool) -> list[Gray]:
    """The value's ink with a wide margin, enlarged (and binarised): what a second reading sees."""
    tight = ink_bounds(gray, box) or box
    crop = _crop(gray, tight, margin=0.6)
    large = np.asarray(
        cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC), dtype=np.uint8
    )
    if not binarise:
        return [large]
    _, binary = cv2.threshold(large, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return [large, np.asarray(binary, dtype=np.uint8)]


def reread(
    engine: RapidEngine,
    gray: Gray,
    cells: Sequence[tuple[PixelBox, OcrReading]],
    deadline: float | None = None,
    *,
    scale: float = REREAD_SCALE,
) -> list[OcrReading]:
    """Read values again from enlarged crops: each the most confident reading, the others kept.

    Above the first re-reading's scale the crop is also read binarised: other settings,
    other evidence, for values the identities reject.
    """
    if not cells:
        return []
    groups = [_enlarged(gray, box, scale, binarise=scale > REREAD_SCALE) for box, _ in cells]
    flat = engine.recognize([crop for group in groups for crop in group], deadline=deadline)
    out: list[OcrReading] = []
    position = 0
    for (_, first), group in zip(cells, groups, strict=True):
        again = flat[position : position + len(group)]
        position += len(group)
        out.append(
            with_alternatives(
                first, [r for second in again for r in (second, *second.alternatives) if r.text]
            )
        )
    return out


def _split_at_cells(box: PixelBox, layout: TableLayout, placement: Placement) -> list[PixelBox]:
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


@dataclass(slots=True)
class _Box:
    pixels: PixelBox
    reading: OcrReading = BLANK


def _table_boxes(
    gray: Gray, detected: list[PixelBox], layouts: list[TableLayout], placement: Placement
) -> tuple[list[list[list[_Box]]], list[_Box]]:
    """Detected boxes per table cell (split at column rules), cells with ink but no box added."""
    per_cell: list[list[list[_Box]]] = [[[] for _ in layout.boxes] for layout in layouts]
    outside: list[_Box] = []
    for box in detected:
        x0, top, x1, bottom = placement.to_points(box)
        cx, cy = (x0 + x1) / 2, (top + bottom) / 2
        for layout, cells in zip(layouts, per_cell, strict=True):
            if not (layout.bbox[0] <= cx <= layout.bbox[2] and layout.bbox[1] <= cy <= layout.bbox[3]):
                continue
            for piece in _split_at_cells(box, layout, placement):
                px0, ptop, px1, pbottom = placement.to_points(piece)
                index = layout.cell_at((px0 + px1) / 2, (ptop + pbottom) / 2)
                if index is not None and has_ink(gray, piece, 3):
                    cells[index].append(_Box(piece))
            break
        else:
            outside.append(_Box(box))
    min_ink = max(int(MIN_INK * placement.scale**2), 4)
    inset = CELL_INSET
    for layout, cells in zip(layouts, per_cell, strict=True):
        for index, (x0, top, x1, bottom) in enumerate(layout.boxes):
            if cells[index]:
                continue
            inner = placement.to_pixels((x0 + inset, top + inset, x1 - inset, bottom - inset))
            if has_ink(gray, inner, min_ink) and (tight := ink_bounds(gray, inner)) is not None:
                cells[index].append(_Box(tight))  # the detector missed it: read the ink itself
    return per_cell, outside


def _line_crop(gray: Gray, box: PixelBox) -> Gray:
    crop = _crop(gray, box, margin=0.1)
    height, width = crop.shape
    # a box much taller than wide is a label set one character per line: read it turned
    return np.ascontiguousarray(np.rot90(crop)) if height >= 1.5 * width else crop


def _recognise(engine: RapidEngine, gray: Gray, boxes: list[_Box], deadline: float) -> None:
    crops = [_line_crop(gray, b.pixels) for b in boxes]
    for box, reading in zip(boxes, engine.recognize(crops, deadline=deadline), strict=True):
        box.reading = reading


def _glyph(box: _Box, placement: Placement) -> Glyph:
    return Glyph(box.reading.text, *placement.to_points(box.pixels))


def ocr_image(
    image: np.ndarray,
    placement: Placement,
    engine: RapidEngine,
    *,
    deadline: float | None = None,
    store: PictureStore | None = None,
) -> OcrPage:
    """Read an image: straighten it, find its ruled tables, recognise every text box."""
    started = time.monotonic()
    budget = deadline if deadline is not None else started + 3600.0
    gray = to_gray(image)
    angle = skew_angle(gray)
    straight = rotate(gray, angle)
    local = Placement(placement.scale)  # the cell finder works in the image's own points
    rules = find_rules(straight, placement.scale)
    edges = close_open_ends([r.edge for r in rules]) if rules else []
    layouts = [
        layout
        for layout in table_layouts(table_cell_boxes(edges) if edges else [])
        if layout.bbox[2] - layout.bbox[0] >= MIN_TABLE_WIDTH
    ]
    clean = erase_rules(straight, rules, layouts, placement.scale)
    if time.monotonic() > budget:
        raise OcrError("the page took longer than its OCR time budget")
    detected = engine.detect(clean)
    per_cell, outside = _table_boxes(clean, detected, layouts, local)
    everything = [b for cells in per_cell for boxes in cells for b in boxes] + outside
    everything = [b for b in everything if b.pixels[2] > b.pixels[0] and b.pixels[3] > b.pixels[1]]
    _recognise(engine, clean, everything, budget)
    found: list[tuple[TableLayout, list[TableCell], list[_Box | None]]] = []
    doubtful: list[tuple[TableCell, _Box]] = []
    for layout, cells in zip(layouts, per_cell, strict=True):
        table_cells: list[TableCell] = []
        sources: list[_Box | None] = []
        for (row, col, rowspan, colspan), inked, box in zip(layout.spans, cells, layout.boxes, strict=True):
            boxes = [b for b in inked if b.reading.text]
            text = cell_text([_glyph(b, local) for b in boxes])
            # ink that reads as nothing is no blank: confidence 0 says it could not be read
            reading = joined(text, [b.reading for b in boxes]) if boxes or not inked else UNREADABLE
            bbox = placement.to_points(local.to_pixels(box))
            cell = TableCell(row, col, rowspan, colspan, text, placement.page, bbox, ocr=reading)
            table_cells.append(cell)
            sources.append(boxes[0] if len(boxes) == 1 else None)
            if len(boxes) == 1 and _doubtful(reading):
                doubtful.append((cell, boxes[0]))
        found.append((layout, table_cells, sources))
    again = reread(engine, clean, [(b.pixels, c.ocr or BLANK) for c, b in doubtful], budget)
    for (cell, _), reading in zip(doubtful, again, strict=True):
        reading = digits_for_symbols(reading)
        cell.text, cell.ocr = reading.text, reading
    picture = store.add(clean, placement) if store is not None and layouts else None
    tables: list[PageTable] = []
    for layout, table_cells, sources in found:
        for cell, source in zip(table_cells, sources, strict=True):
            if picture is not None and store is not None and source is not None:
                store.remember(picture, placement.page, cell.bbox, cell.text, source.pixels)
        if any(c.text for c in table_cells):
            table_cells.sort(key=lambda c: (c.row, c.col))
            bbox = placement.to_points(local.to_pixels(layout.bbox))
            xs = [placement.left + x for x in layout.xs]
            tables.append(PageTable(placement.page, bbox, xs, table_cells, [placement.page]))
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    glyphs = [_glyph(b, placement) for b in outside if b.reading.text and b.reading.confidence >= 0.3]
    return OcrPage(build_lines(glyphs), tables, angle, time.monotonic() - started)
