"""PDF pages as images for the OCR engine: whole scanned pages, and pictures on pages of text.

Pages are rendered at 200 dpi: PP-OCRv4's recogniser reads lines at 48 pixels, and a 10.5 pt
table digit is about 29 pixels there. Lower, labels of small type lose characters; higher,
detection time grows with the pixels and the scan (mostly 120-200 dpi) has no more detail to
give. A picture on a page of text (a table pasted as an image) is rendered alone, from its
box on the page, so its text lands at its place among the page's own lines.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pypdfium2 as pdfium

from gaibao_pipeline.documents.ocr.session import OcrSession
from gaibao_pipeline.model import BBox

if TYPE_CHECKING:  # OpenCV loads only when a page is read
    from gaibao_pipeline.documents.ocr.page import OcrPage

RENDER_DPI = 200.0
MAX_PIXELS = 40_000_000  # a page rendered larger than this is rendered at a lower resolution
MIN_PICTURE_WIDTH = 200.0  # points: narrower pictures (logos, seals, QR codes) hold no table
MIN_PICTURE_HEIGHT = 60.0


def _scale(width: float, height: float) -> float:
    return min(RENDER_DPI / 72, math.sqrt(MAX_PIXELS / max(width * height, 1.0)))


def read_scanned_page(page: pdfium.PdfPage, number: int, session: OcrSession) -> OcrPage:
    """Render a whole page and read it."""
    from gaibao_pipeline.documents.ocr.boxes import Placement

    width, height = page.get_size()
    scale = _scale(width, height)
    image = np.asarray(page.render(scale=scale, grayscale=True).to_numpy())
    return session.read(image, Placement(scale, page=number))


def picture_boxes(page: pdfium.PdfPage, boxes: list[tuple[float, float, float, float]]) -> list[BBox]:
    """Pictures large enough to hold a table, as (x0, top, x1, bottom) from the page's top-left."""
    left, bottom, right, top = page.get_mediabox()
    out: list[BBox] = []
    for x0, y0, x1, y1 in boxes:
        x0, x1 = max(x0, left), min(x1, right)
        y0, y1 = max(y0, bottom), min(y1, top)
        if x1 - x0 >= MIN_PICTURE_WIDTH and y1 - y0 >= MIN_PICTURE_HEIGHT:
            out.append((x0 - left, top - y1, x1 - left, top - y0))
    return out


def read_picture(page: pdfium.PdfPage, number: int, box: BBox, session: OcrSession) -> OcrPage:
    """Render one picture's box on a page and read it; its text and cells keep page coordinates."""
    from gaibao_pipeline.documents.ocr.boxes import Placement

    width, height = page.get_size()
    x0, top, x1, bottom = box
    scale = _scale(x1 - x0, bottom - top)
    crop = (x0, height - bottom, width - x1, top)  # points cut from the left, bottom, right, top
    image = np.asarray(page.render(scale=scale, grayscale=True, crop=crop).to_numpy())
    return session.read(image, Placement(scale, left=x0, top=top, page=number))
