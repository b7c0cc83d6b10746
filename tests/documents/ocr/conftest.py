"""OCR fixtures built once per session: OCR costs seconds a page, so every scan is read once.

The scans are made from the text-layer hongze2023.pdf of the sample corpus, whose values
the golden file fixes; the pictures are its tables cut out of a rendered page.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import pytest
from PIL import Image

from gaibao_pipeline.documents.pdf.reader import read_pdf
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import BBox
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.parse import parse_bytes
from tests.conftest import corpus_file
from tests.documents.ocr.scans import ScanStyle, page_picture, scan_pdf

# turned either way, blurred and compressed like real scans and faxes, at 120-200 dpi
STYLES = {
    120: ScanStyle(dpi=120, angle=-1.2, blur=0.5, quality=60),
    160: ScanStyle(dpi=160, angle=0.7, blur=0.8, quality=70),
    200: ScanStyle(dpi=200, angle=1.6, blur=1.0, quality=75),
}
TABLE_PAGES = [2, 3]  # 0-based pages of hongze2023.pdf holding tables 三 and 四
OCR_LIMITS = Limits(timeout_seconds=900.0)


def source_pdf() -> bytes:
    return corpus_file("hongze2023").read_bytes()


@functools.cache
def scanned_report(dpi: int) -> Report:
    """Tables 三 and 四 of hongze2023.pdf scanned in the style of `dpi`, parsed (once a session)."""
    # a generous file limit: the reading is tested here, not the limit (see tests.conftest.parsed_golden)
    return parse_bytes(scan_pdf(source_pdf(), TABLE_PAGES, STYLES[dpi]), f"scan-{dpi}.pdf", OCR_LIMITS)


@functools.cache
def table_box(page_index: int, table_from_top: int) -> BBox:
    """The box (points) of one ruled table on a page of the text-layer PDF."""
    document = read_pdf(source_pdf(), Limits(), ocr=False)
    grids = [g for g in document.grids if any(c.where.page == page_index + 1 for c in g.cells)]
    cells = [c for c in grids[table_from_top].cells if c.where.page == page_index + 1 and c.where.bbox]
    boxes = [c.where.bbox for c in cells if c.where.bbox is not None]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@pytest.fixture(scope="session")
def t4_picture() -> bytes:
    """Table 四 of hongze2023 as a PNG (150 dpi, turned half a degree): a pasted picture."""
    style = ScanStyle(dpi=150, angle=0.5, blur=0.4, quality=90)
    x0, top, x1, bottom = table_box(3, -1)
    page = page_picture(source_pdf(), 3, style)
    scale = style.dpi / 72
    margin = 12
    crop = page.crop(
        (
            int(x0 * scale) - margin,
            int(top * scale) - margin,
            int(x1 * scale) + margin,
            int(bottom * scale) + margin,
        )
    )
    out = io.BytesIO()
    crop.save(out, format="PNG", dpi=(150, 150))
    return out.getvalue()


@pytest.fixture(scope="session")
def t4_picture_file(t4_picture: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pictures")
    path = folder / "t4.png"
    path.write_bytes(t4_picture)
    return path


def t4_values_row(picture_rows: list[list[str]]) -> list[str]:
    """The last row of a grid of table 四: its 15 values."""
    return picture_rows[-1][-15:]


def as_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))
