"""The rules a reader sees on a PDF page, from pdfium's page objects.

Finding a page's tables needs its visible rules. pdfminer (under pdfplumber) finds them by
interpreting the page's content stream in Python, which was most of the cost of reading a
table page. pdfium has already parsed the page into objects, so walking its path
objects gives the same rules for a fraction of that. What counts as a rule is what
`tables.rule_edges` takes from pdfplumber's objects: straight segments of paths stroked
in a colour other than white, and the edges of thin filled bars (Word and WPS draw borders
as bars), each subpath on its own as pdfminer splits them; white boxes behind text and
curves are no rules. Coordinates are pdfplumber's: points from the page's top-left corner.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Iterator, Sequence

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from gaibao_pipeline.documents.pdf.survey import MAX_DEPTH, THIN, ObjectProbe, PageObjects, child_objects
from gaibao_pipeline.documents.pdf.tables import Edge, make_edge

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as in a PDF `cm`
Point = tuple[float, float]

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
STRAIGHT = 1.0  # points: a segment whose ends differ less than this across runs along an axis


def then(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying `inner` first, then `outer`."""
    a, b, c, d, e, f = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


class Subpath:
    """A subpath's points in page space, and which of its segments are straight."""

    __slots__ = ("points", "straight")

    def __init__(self, start: Point) -> None:
        self.points = [start]
        self.straight: list[bool] = []  # segment i joins points[i] and points[i + 1]

    def add(self, point: Point, straight: bool) -> None:
        self.points.append(point)
        self.straight.append(straight)

    def close(self) -> None:
        if self.points[-1] != self.points[0]:
            self.add(self.points[0], True)

    def straight_segments(self) -> Iterator[tuple[Point, Point]]:
        for i, straight in enumerate(self.straight):
            if straight:
                yield self.points[i], self.points[i + 1]

    def is_thin(self) -> bool:
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return min(max(xs) - min(xs), max(ys) - min(ys)) < THIN


class _PathReader:
    """Collects the rule edges of a page's path objects, in pdfplumber's coordinates."""

    def __init__(self, page_left: float, page_top: float) -> None:
        self.page_left, self.page_top = page_left, page_top
        self.probe = ObjectProbe()
        self.matrix = pdfium_c.FS_MATRIX()
        self.matrix_ref = ctypes.byref(self.matrix)
        self.x, self.y = ctypes.c_float(), ctypes.c_float()
        self.edges: list[Edge] = []

    def _own_matrix(self, obj: pdfium_c.FPDF_PAGEOBJECT) -> Matrix:
        if not pdfium_c.FPDFPageObj_GetMatrix(obj, self.matrix_ref):
            return IDENTITY
        m = self.matrix
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def _subpaths(self, obj: pdfium_c.FPDF_PAGEOBJECT, matrix: Matrix) -> list[Subpath]:
        a, b, c, d, e, f = matrix
        x, y = self.x, self.y
        x_out, y_out = ctypes.byref(x), ctypes.byref(y)
        subpaths: list[Subpath] = []
        current: Subpath | None = None
        # bound once: a table's paths have thousands of segments, four pdfium calls each
        get_segment, get_point = pdfium_c.FPDFPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetPoint
        get_type, get_close = pdfium_c.FPDFPathSegment_GetType, pdfium_c.FPDFPathSegment_GetClose
        moveto, lineto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO
        for index in range(max(pdfium_c.FPDFPath_CountSegments(obj), 0)):
            segment = get_segment(obj, index)
            if not segment or not get_point(segment, x_out, y_out):
                continue
            px, py = x.value, y.value
            point = (a * px + c * py + e, b * px + d * py + f)
            kind = get_type(segment)
            if kind == moveto or current is None:
                current = Subpath(point)
                subpaths.append(current)
            else:
                current.add(point, kind == lineto)
            if get_close(segment):
                current.close()
        return subpaths

    def _edge(self, start: Point, end: Point) -> None:
        (x0, y0), (x1, y1) = start, end
        left, top = self.page_left, self.page_top
        if abs(y1 - y0) < STRAIGHT and abs(x1 - x0) >= STRAIGHT:
            y = top - (y0 + y1) / 2
            self.edges.append(make_edge("h", min(x0, x1) - left, y, max(x0, x1) - left, y))
        elif abs(x1 - x0) < STRAIGHT and abs(y1 - y0) >= STRAIGHT:
            x = (x0 + x1) / 2 - left
            self.edges.append(make_edge("v", x, top - max(y0, y1), x, top - min(y0, y1)))
        # a diagonal (the slash of a 斜线表头 corner cell) or a dot is no border

    def read_path(self, obj: pdfium_c.FPDF_PAGEOBJECT, outer: Matrix) -> None:
        probe = self.probe
        if not pdfium_c.FPDFPath_GetDrawMode(obj, probe.fill_mode_ref, probe.stroke_ref):
            return
        stroked = bool(probe.stroke.value) and probe.visible(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
        filled = bool(probe.fill_mode.value) and probe.visible(pdfium_c.FPDFPageObj_GetFillColor, obj)
        if not (stroked or filled):
            return
        for subpath in self._subpaths(obj, then(self._own_matrix(obj), outer)):
            # a filled area is a rule only as a thin bar; a point or a bare line fills nothing
            if stroked or (len(subpath.points) >= 3 and subpath.is_thin()):
                for start, end in subpath.straight_segments():
                    self._edge(start, end)

    def walk(self, objects: PageObjects, outer: Matrix, depth: int) -> None:
        get_type = pdfium_c.FPDFPageObj_GetType
        self.walk_typed(((obj, get_type(obj)) for obj in objects), outer, depth)

    def walk_typed(
        self, objects: Iterable[tuple[pdfium_c.FPDF_PAGEOBJECT, int]], outer: Matrix, depth: int
    ) -> None:
        for obj, kind in objects:
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                self.read_path(obj, outer)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_DEPTH:
                # a form's objects are placed in its own space, which its matrix maps onto the page
                inner = then(self._own_matrix(obj), outer)
                self.walk(child_objects(obj, is_form=True), inner, depth + 1)


def page_rule_edges(
    page: pdfium.PdfPage, objects: Sequence[tuple[pdfium_c.FPDF_PAGEOBJECT, int]] | None = None
) -> list[Edge]:
    """The horizontal and vertical edges of the rules a reader sees on an unrotated page.

    `objects` are the page's own objects and their types when the caller has them already
    (`PageSurvey.objects`, from the same open page).
    """
    left, _, _, top = page.get_mediabox()
    reader = _PathReader(left, top)
    if objects is None:
        reader.walk(child_objects(page.raw, is_form=False), IDENTITY, 0)
    else:
        reader.walk_typed(objects, IDENTITY, 0)
    return reader.edges
