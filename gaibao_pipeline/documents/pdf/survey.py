"""A cheap look at a page's drawing objects with pdfium, before any text is extracted.

It tells whether the page draws visible rules (so looking for tables is worth it),
how much of it is covered by images (a scan) and where they are (a table pasted as a
picture on a page of text), and how many paths it draws (text converted to
outlines looks like a page of paths and no characters).
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

THIN = 2.0  # points: a filled path thinner than this is a rule drawn as a bar
MIN_RULE = 3.0  # points: shorter strokes are decoration
WHITE = 243  # 0-255: colour components at least this light do not show on paper
MAX_DEPTH = 8  # nested form XObjects followed this deep

PageObjects = Iterator[pdfium_c.FPDF_PAGEOBJECT]


@dataclass(slots=True)
class PageSurvey:
    """What a page draws besides text."""

    has_rules: bool = False
    image_area: float = 0.0  # points², top-level image and image-bearing form boxes
    path_count: int = 0
    image_boxes: list[tuple[float, float, float, float]] = field(
        default_factory=list
    )  # (left, bottom, right, top)
    # the page's own objects with their types, in drawing order: the rules are read from
    # them without asking pdfium for every object again
    objects: list[tuple[pdfium_c.FPDF_PAGEOBJECT, int]] = field(default_factory=list)


class ObjectProbe:
    """pdfium calls about one page object, with reusable out-parameters."""

    def __init__(self) -> None:
        self.fill_mode = ctypes.c_int()
        self.stroke = ctypes.c_int()
        self.rgba = [ctypes.c_uint() for _ in range(4)]
        self.box = [ctypes.c_float() for _ in range(4)]
        # references made once: every path on a page is probed
        self.rgba_refs = [ctypes.byref(v) for v in self.rgba]
        self.box_refs = [ctypes.byref(v) for v in self.box]
        self.fill_mode_ref, self.stroke_ref = ctypes.byref(self.fill_mode), ctypes.byref(self.stroke)

    def bounds(self, obj: pdfium_c.FPDF_PAGEOBJECT) -> tuple[float, float, float, float] | None:
        """(left, bottom, right, top) of a page object, or None if pdfium cannot tell."""
        if not pdfium_c.FPDFPageObj_GetBounds(obj, *self.box_refs):
            return None
        left, bottom, right, top = self.box
        return left.value, bottom.value, right.value, top.value

    def visible(self, getter: object, obj: pdfium_c.FPDF_PAGEOBJECT) -> bool:
        """Whether the colour `getter` reads (stroke or fill) shows on paper."""
        if not getter(obj, *self.rgba_refs):  # type: ignore[operator]
            return True  # patterns and shadings have no plain colour; assume they show
        r, g, b, a = self.rgba
        return a.value > 0 and min(r.value, g.value, b.value) < WHITE

    def is_rule(self, obj: pdfium_c.FPDF_PAGEOBJECT) -> bool:
        """True for a path a reader sees as a line: stroked in a colour, or a thin coloured bar."""
        box = self.bounds(obj)
        if box is None:
            return False
        width, height = box[2] - box[0], box[3] - box[1]
        if max(width, height) < MIN_RULE:
            return False
        if not pdfium_c.FPDFPath_GetDrawMode(obj, self.fill_mode_ref, self.stroke_ref):
            return False
        if self.stroke.value and self.visible(pdfium_c.FPDFPageObj_GetStrokeColor, obj):
            return True
        return bool(
            self.fill_mode.value
            and min(width, height) < THIN
            and self.visible(pdfium_c.FPDFPageObj_GetFillColor, obj)
        )


def child_objects(parent: object, is_form: bool) -> PageObjects:
    """The objects a page (its raw handle) or a form XObject draws, in drawing order."""
    if is_form:
        count, get = pdfium_c.FPDFFormObj_CountObjects(parent), pdfium_c.FPDFFormObj_GetObject
    else:
        count, get = pdfium_c.FPDFPage_CountObjects(parent), pdfium_c.FPDFPage_GetObject
    for index in range(max(count, 0)):
        obj = get(parent, index)
        if obj:
            yield obj


def _walk(probe: ObjectProbe, survey: PageSurvey, objects: PageObjects, depth: int) -> bool:
    """Survey the objects; True if any of them is (or holds) an image."""
    holds_image = False
    get_type, path, image = (
        pdfium_c.FPDFPageObj_GetType,
        pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_IMAGE,
    )
    top = survey.objects if depth == 0 else None
    for obj in objects:
        kind = get_type(obj)
        if top is not None:
            top.append((obj, kind))
        if kind == path:
            survey.path_count += 1
            if not survey.has_rules and probe.is_rule(obj):
                survey.has_rules = True
        elif kind == image:
            holds_image = True
            if depth == 0 and (box := probe.bounds(obj)) is not None:
                survey.image_area += (box[2] - box[0]) * (box[3] - box[1])
                survey.image_boxes.append(box)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_DEPTH:
            inner = _walk(probe, survey, child_objects(obj, is_form=True), depth + 1)
            if inner and depth == 0 and (box := probe.bounds(obj)) is not None:
                # scanners wrap the page image in a form; its box on the page is the form's
                survey.image_area += (box[2] - box[0]) * (box[3] - box[1])
                survey.image_boxes.append(box)
            holds_image = holds_image or inner
    return holds_image


def survey_page(page: pdfium.PdfPage) -> PageSurvey:
    """Rules, image coverage and path count of one page, from pdfium's object list."""
    survey = PageSurvey()
    _walk(ObjectProbe(), survey, child_objects(page.raw, is_form=False), 0)
    return survey
