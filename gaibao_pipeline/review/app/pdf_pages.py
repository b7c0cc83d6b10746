"""A PDF page as a PNG image with cells marked: pypdfium2 renders, Pillow draws the boxes.

Cell boxes are in PDF points from the page's top-left corner (`model.BBox`), so a box is its
coordinates times the render scale. pdfium is not thread-safe and the app serves requests
from a thread pool: every call into it holds one lock. Renders are kept in a small cache so
that marking another cell of the same page does not render it again.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from gaibao_pipeline.documents.pdf.pdfium import PdfiumFile
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import BBox

MAX_SCALE = 2.0  # 144 dpi: digits of a 9 pt table stay legible
MAX_PIXELS = 2000  # the longer side of a rendered page, whatever the page size
SELECTED = (220, 0, 0)  # the cell being looked at
FAILED = (255, 140, 0)  # the other cells of failed checks on the page


class PageNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Mark:
    bbox: BBox
    color: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Rendered:
    image: Image.Image
    scale: float


_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[str, int, int, int], Rendered] = OrderedDict()
_CACHE_PAGES = 8


def _render(path: Path, page_no: int, limits: Limits) -> Rendered:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, page_no)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        if stat.st_size > limits.max_file_bytes:
            raise PageNotFound(f"the file is larger than the {limits.max_file_bytes:,} byte limit")
        pdf = PdfiumFile(path.read_bytes())
        try:
            if not 1 <= page_no <= pdf.page_count:
                raise PageNotFound(f"the PDF has {pdf.page_count} pages, not a page {page_no}")
            page = pdf.page(page_no - 1)
            try:
                width, height = page.get_size()
                if width * height > limits.max_page_area:
                    raise PageNotFound(f"page {page_no} is larger than the page area limit")
                scale = min(MAX_SCALE, MAX_PIXELS / max(width, height, 1.0))
                image = page.render(scale=scale).to_pil().convert("RGB")
            finally:
                page.close()
        finally:
            pdf.close()
        rendered = Rendered(image, scale)
        _CACHE[key] = rendered
        while len(_CACHE) > _CACHE_PAGES:
            _CACHE.popitem(last=False)
        return rendered


def page_png(path: Path, page_no: int, marks: Sequence[Mark], limits: Limits) -> bytes:
    """Page `page_no` (1-based) of the PDF as PNG, with each mark's box outlined and tinted."""
    rendered = _render(path, page_no, limits)
    image = rendered.image.copy()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    # the selected cell last, so it is drawn over the others
    for mark in sorted(marks, key=lambda m: m.color == SELECTED):
        x0, top, x1, bottom = (v * rendered.scale for v in mark.bbox)
        pad = 2
        box = (min(x0, x1) - pad, min(top, bottom) - pad, max(x0, x1) + pad, max(top, bottom) + pad)
        draw.rectangle(box, fill=(*mark.color, 50), outline=(*mark.color, 255), width=3)
    marked = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    out = io.BytesIO()
    marked.save(out, format="PNG", optimize=False)
    return out.getvalue()
