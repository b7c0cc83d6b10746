"""One image (a scanned page, a pasted picture of a table) read into text lines and tables.

`ocr_image` is the entry point every reader uses: a PDF for its image-only pages and the
pictures on its text pages, DOCX and HTML for pasted pictures, and image files. The image
is straightened; ruled tables are found from its rules (`raster`) and read cell by cell from
the boxes the engine detects (`boxes`), each cell keeping its reading and confidence;
outside them, rows of values become tables by their columns (`columns`) and the rest text
lines. A value read with doubt is read again at a higher scale, and the page's images are
kept (`PictureStore`) so that values the identities reject can be read again once the
document is parsed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from gaibao_pipeline.documents.ocr.boxes import FAINT_INK, Box, Placement, boxes_per_cell
from gaibao_pipeline.documents.ocr.columns import TextBox, borderless_tables
from gaibao_pipeline.documents.ocr.engine import Gray, OcrError, PixelBox, RapidEngine
from gaibao_pipeline.documents.ocr.raster import (
    MIN_TABLE_WIDTH,
    erase_rules,
    find_rules,
    ink_bounds,
    rotate,
    skew_angle,
    to_gray,
)
from gaibao_pipeline.documents.ocr.readings import (
    UNREADABLE,
    digits_for_symbols,
    joined,
    looks_like_value,
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

REREAD_BELOW = 0.9  # a value read with less confidence (or a digit with less) is read again
REREAD_SCALE = 2.0  # the crop is enlarged this much for the second reading
MARGIN = 0.35  # × the text height: white kept around a crop (the recogniser needs a margin)
MIN_TEXT_CONFIDENCE = 0.3  # text outside tables read with less confidence is noise (a stamp, a smudge)


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
    return looks_like_value(text)


def _doubtful(reading: OcrReading) -> bool:
    if not _is_value(reading.text):
        return False
    low = reading.confidence < REREAD_BELOW or any(c < REREAD_BELOW for c in reading.char_confidences)
    return low or not any(ch.isdigit() for ch in reading.text)


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
    tight = ink_bounds(gray, box, FAINT_INK) or box  # faint: a blurred minus sign is part of the value
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


def _line_crop(gray: Gray, box: PixelBox) -> Gray:
    crop = _crop(gray, box, margin=0.1)
    height, width = crop.shape
    # a box much taller than wide is a label set one character per line: read it turned
    return np.ascontiguousarray(np.rot90(crop)) if height >= 1.5 * width else crop


def _recognise(engine: RapidEngine, gray: Gray, boxes: list[Box], deadline: float) -> None:
    crops = [_line_crop(gray, b.pixels) for b in boxes]
    for box, reading in zip(boxes, engine.recognize(crops, deadline=deadline), strict=True):
        box.reading = reading


def _glyph(box: Box, placement: Placement) -> Glyph:
    return Glyph(box.reading.text, *placement.to_points(box.pixels))


def _reread_doubtful(
    engine: RapidEngine, gray: Gray, in_tables: list[Box], outside: list[Box], deadline: float
) -> None:
    """Values read with doubt (or as letters), and ink in a cell that read as nothing, read
    again enlarged; every reading kept."""
    doubtful = [b for b in [*in_tables, *outside] if b.reading.text and _doubtful(b.reading)]
    doubtful += [b for b in in_tables if not b.reading.text]
    try:
        again = reread(engine, gray, [(b.pixels, b.reading) for b in doubtful], deadline)
    except OcrError:
        return  # out of time: the first readings stand, and the identities check them
    for box, reading in zip(doubtful, again, strict=True):
        box.reading = digits_for_symbols(reading)


def _ruled_tables(
    layouts: list[TableLayout],
    per_cell: list[list[list[Box]]],
    placement: Placement,
    remember: Callable[[BBox, str, PixelBox], None],
) -> list[PageTable]:
    """The ruled tables with each cell's text and reading; single-box cells remembered."""
    local = Placement(placement.scale)
    tables: list[PageTable] = []
    for layout, cells in zip(layouts, per_cell, strict=True):
        table_cells: list[TableCell] = []
        for (row, col, rowspan, colspan), inked, box in zip(layout.spans, cells, layout.boxes, strict=True):
            boxes = [b for b in inked if b.reading.text]
            text = cell_text([_glyph(b, local) for b in boxes])
            # ink that reads as nothing is no blank: confidence 0 says it could not be read
            reading = joined(text, [b.reading for b in boxes]) if boxes or not inked else UNREADABLE
            bbox = placement.to_points(local.to_pixels(box))
            table_cells.append(TableCell(row, col, rowspan, colspan, text, placement.page, bbox, ocr=reading))
            if len(boxes) == 1:
                remember(bbox, text, boxes[0].pixels)
        if any(c.text for c in table_cells):
            table_cells.sort(key=lambda c: (c.row, c.col))
            bbox = placement.to_points(local.to_pixels(layout.bbox))
            xs = [placement.left + x for x in layout.xs]
            tables.append(PageTable(placement.page, bbox, xs, table_cells, [placement.page]))
    return tables


def _layouts(straight: Gray, scale: float) -> tuple[list[TableLayout], Gray]:
    """The ruled tables' layouts (in the image's points) and the image with their rules erased."""
    rules = find_rules(straight, scale)
    edges = close_open_ends([r.edge for r in rules]) if rules else []
    layouts = [
        layout
        for layout in table_layouts(table_cell_boxes(edges) if edges else [])
        if layout.bbox[2] - layout.bbox[0] >= MIN_TABLE_WIDTH
    ]
    return layouts, erase_rules(straight, rules, layouts, scale)


def ocr_image(
    image: np.ndarray,
    placement: Placement,
    engine: RapidEngine,
    *,
    deadline: float | None = None,
    store: PictureStore | None = None,
) -> OcrPage:
    """Read an image: straighten it, find its tables (ruled, or rows of values), read every box."""
    started = time.monotonic()
    budget = deadline if deadline is not None else started + 3600.0
    gray = to_gray(image)
    angle = skew_angle(gray)
    layouts, clean = _layouts(rotate(gray, angle), placement.scale)
    if time.monotonic() > budget:
        raise OcrError("the page took longer than its OCR time budget")
    per_cell, outside = boxes_per_cell(clean, engine.detect(clean), layouts, Placement(placement.scale))
    in_tables = [b for cells in per_cell for boxes in cells for b in boxes]
    _recognise(engine, clean, in_tables + outside, budget)
    _reread_doubtful(engine, clean, in_tables, outside, budget)
    # only pictures with ruled tables are kept: their cells are the ones read again later
    picture = store.add(clean, placement) if store is not None and layouts else None

    def remember(bbox: BBox, text: str, pixels: PixelBox) -> None:
        if store is not None and picture is not None:
            store.remember(picture, placement.page, bbox, text, pixels)

    tables = _ruled_tables(layouts, per_cell, placement, remember)
    boxes = [
        TextBox(b.reading.text, placement.to_points(b.pixels), b.reading)
        for b in outside
        if b.reading.text and b.reading.confidence >= MIN_TEXT_CONFIDENCE
    ]
    unruled, rest = borderless_tables(boxes, placement.page)
    tables = sorted([*tables, *unruled], key=lambda t: (t.bbox[1], t.bbox[0]))
    lines = build_lines([Glyph(b.text, *b.bbox) for b in rest])
    return OcrPage(lines, tables, angle, time.monotonic() - started)
