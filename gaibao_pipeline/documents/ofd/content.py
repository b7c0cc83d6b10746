"""What an OFD page draws: its characters as glyph boxes, its ruling lines as edges, its images.

A page's content is layers of graphic units (GB/T 33190 §9-§12), each placed by its
`Boundary` (x, y, width, height on the page) and `CTM` (the unit's own space onto the
boundary's): text objects (`TextCode` runs positioned by `X`/`Y` at the baseline, each next
character `DeltaX`/`DeltaY` further on, `g n d` meaning n steps of d), path objects (the
`AbbreviatedData` commands M/S, L, Q, B, A, C), images, page blocks and composite units
(a resource's content placed like one object). Templates add their content to the pages
that name them. Everything is converted to what the PDF reader produces, so the same table
finder and line builder read it: `Glyph`s and rule edges in points from the page's top-left
corner (OFD measures in millimetres from the same corner).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from gaibao_pipeline.documents.ofd.package import child, children, local, numbers, parse_box
from gaibao_pipeline.documents.ofd.paths import parse_path
from gaibao_pipeline.documents.pdf.glyphs import Glyph, is_unreadable_char
from gaibao_pipeline.documents.pdf.rules import IDENTITY, Matrix, then  # a b c d e f, as a PDF's cm
from gaibao_pipeline.documents.pdf.tables import Edge, make_edge

MM = 72 / 25.4  # points per millimetre
MAX_DEPTH = 16  # page blocks and composite units followed this deep (a unit may name itself)
MAX_EDGES = 50_000  # rule pieces on one page beyond which its tables are not looked for
ASCENT, DESCENT = 0.88, 0.12  # of the font size, above and below the baseline (as the PDF reader's boxes)
STRAIGHT = 0.35  # mm: a segment whose ends differ less than this across runs along an axis
WHITE = 0.95  # share of full intensity at and above which a colour is paper-white


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def placement(element: etree._Element) -> Matrix:
    """A graphic unit's own space onto its parent's: its CTM, then moved to its boundary's origin."""
    box = parse_box(element.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    ctm = numbers(element.get("CTM"))
    a, b, c, d, e, f = (ctm[0], ctm[1], ctm[2], ctm[3], ctm[4], ctm[5]) if len(ctm) >= 6 else IDENTITY
    return a, b, c, d, e + box[0], f + box[1]


def deltas(value: str | None, limit: int) -> list[float]:
    """A DeltaX/DeltaY list, `g n d` expanded, at most `limit` values (a huge n costs nothing)."""
    tokens = (value or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens) and len(out) < limit:
        try:
            if tokens[i] == "g" and i + 2 < len(tokens):
                out += [float(tokens[i + 2])] * max(0, min(int(float(tokens[i + 1])), limit - len(out)))
                i += 3
                continue
            out.append(float(tokens[i]))
        except (ValueError, OverflowError):
            pass
        i += 1
    return [d if math.isfinite(d) else 0.0 for d in out]


def _visible_colour(element: etree._Element, name: str) -> bool:
    """Whether a stroke or fill colour shows on white paper (none given: black)."""
    colour = child(element, name)
    if colour is None:
        return True
    if colour.get("Alpha") is not None and numbers(colour.get("Alpha"))[:1] == [0.0]:
        return False
    values = numbers(colour.get("Value"))
    if not values:
        return True  # a pattern, a shading or an indexed colour: drawn, whatever it is
    full = 255.0 if max(values) > 1.0 else 1.0
    if len(values) == 4:  # CMYK: white is no ink
        return max(values) > (1 - WHITE) * full
    return min(values) < WHITE * full


@dataclass(slots=True)
class PageDrawing:
    """Everything an OFD page draws, in points from its top-left corner."""

    glyphs: list[Glyph] = field(default_factory=list)
    unreadable: int = 0  # characters that are control or private-use codes
    edges: list[Edge] = field(default_factory=list)
    image_area: float = 0.0  # points², images' boxes summed
    paths: int = 0


class PageWalker:
    """Walks a page's (and its templates') content into a `PageDrawing`."""

    def __init__(self, units: Mapping[str, etree._Element], origin: tuple[float, float]) -> None:
        self.units = units  # composite graphic units by ID
        self.drawing = PageDrawing()
        # page space (mm from the physical box's corner) onto points from the page's corner
        self.to_points: Matrix = (MM, 0.0, 0.0, MM, -origin[0] * MM, -origin[1] * MM)

    def content(self, root: etree._Element) -> None:
        """The layers of a page or template part (its `Content` element)."""
        for layer in children(child(root, "Content"), "Layer"):
            self._walk(layer, self.to_points, 0)

    def _walk(self, parent: etree._Element, outer: Matrix, depth: int) -> None:
        for element in parent:
            if (element.get("Visible") or "true").strip().lower() == "false":
                continue
            kind = local(element)
            if kind == "TextObject":
                self._text(element, then(placement(element), outer))
            elif kind == "PathObject":
                self._path(element, then(placement(element), outer))
            elif kind == "ImageObject":
                self._image(element, outer)
            elif depth >= MAX_DEPTH:
                continue
            elif kind == "PageBlock":
                self._walk(element, outer, depth + 1)
            elif kind == "CompositeObject":
                unit = self.units.get((element.get("ResourceID") or "").strip())
                content = child(unit, "Content")
                if content is not None:
                    self._walk(content, then(placement(element), outer), depth + 1)

    def _text(self, element: etree._Element, matrix: Matrix) -> None:
        size = (numbers(element.get("Size")) or [0.0])[0]
        if size <= 0:
            return
        x = y = 0.0
        for code in children(element, "TextCode"):
            text = code.text or ""
            x = (numbers(code.get("X")) or [x])[0]
            y = (numbers(code.get("Y")) or [y])[0]
            steps_x = deltas(code.get("DeltaX"), len(text) - 1)
            steps_y = deltas(code.get("DeltaY"), len(text) - 1)
            for i, ch in enumerate(text):
                self._glyph(ch, x, y, size, steps_x[i] if i < len(steps_x) else None, matrix)
                x += steps_x[i] if i < len(steps_x) else _advance(ch, size, steps_y)
                y += steps_y[i] if i < len(steps_y) else 0.0

    def _glyph(self, ch: str, x: float, y: float, size: float, step: float | None, matrix: Matrix) -> None:
        if ch.isspace():
            return
        if is_unreadable_char(ch):
            self.drawing.unreadable += 1
            return
        width = _em(ch, size)
        if step is not None and 0 < step < width:
            width = step  # condensed text: the next character starts sooner
        corners = [
            apply(matrix, cx, cy) for cx in (x, x + width) for cy in (y - ASCENT * size, y + DESCENT * size)
        ]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        self.drawing.glyphs.append(Glyph(ch, min(xs), min(ys), max(xs), max(ys)))

    def _path(self, element: etree._Element, matrix: Matrix) -> None:
        self.drawing.paths += 1
        stroked = (element.get("Stroke") or "true").strip().lower() != "false" and _visible_colour(
            element, "StrokeColor"
        )
        filled = (element.get("Fill") or "false").strip().lower() == "true" and _visible_colour(
            element, "FillColor"
        )
        if not (stroked or filled) or len(self.drawing.edges) > MAX_EDGES:
            return
        for subpath in parse_path(_path_data(element), matrix):
            # a filled area is a rule only as a thin bar (Word and WPS draw borders so)
            if stroked or (len(subpath.points) >= 3 and subpath.is_thin()):
                for start, end in subpath.straight_segments():
                    self._edge(start, end)

    def _edge(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        (x0, y0), (x1, y1) = start, end
        tolerance = STRAIGHT * MM
        if abs(y1 - y0) < tolerance <= abs(x1 - x0):
            y = (y0 + y1) / 2
            self.drawing.edges.append(make_edge("h", min(x0, x1), y, max(x0, x1), y))
        elif abs(x1 - x0) < tolerance <= abs(y1 - y0):
            x = (x0 + x1) / 2
            self.drawing.edges.append(make_edge("v", x, min(y0, y1), x, max(y0, y1)))
        # a diagonal (the slash of a 斜线表头 corner cell) or a dot is no border

    def _image(self, element: etree._Element, outer: Matrix) -> None:
        # an image fills its unit square, which its CTM maps onto its boundary; without a CTM,
        # producers mean the whole boundary
        box = parse_box(element.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
        own = placement(element) if element.get("CTM") else (box[2], 0.0, 0.0, box[3], box[0], box[1])
        matrix = then(own, outer)
        corners = [apply(matrix, cx, cy) for cx in (0.0, 1.0) for cy in (0.0, 1.0)]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        self.drawing.image_area += (max(xs) - min(xs)) * (max(ys) - min(ys))


def _path_data(element: etree._Element) -> str:
    data = child(element, "AbbreviatedData")
    return (data.text or "") if data is not None else ""


def _em(ch: str, size: float) -> float:
    return size if unicodedata.east_asian_width(ch) in ("W", "F") else size / 2


def _advance(ch: str, size: float, steps_y: list[float]) -> float:
    """How far the pen moves after a character that has no DeltaX: vertical text does not move on x."""
    return 0.0 if steps_y else _em(ch, size)
